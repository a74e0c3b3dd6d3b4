import { raceDeadline } from '../../utils/race-deadline.js';
import { HEALTH_TIMEOUT_MS } from '../core/health-timeout.js';
import { Logger } from '@nestjs/common';
import type { Admin, Consumer, Producer } from '@platformatic/kafka';
import type {
  BusCapabilities,
  BusHealth,
  BusInbox,
  BusSubscription,
  InboxOptions,
  MessageHandler,
  OutgoingMessage,
  SubscribeOptions,
  TopicSpec,
  VrpcBus,
} from '../bus.interface.js';
import { BusLifecycle } from '../core/bus-lifecycle.js';
import { messageBytes } from '../core/message-size.js';
import { PublishBatcher } from '../core/publish-batcher.js';
import { kafkaPublishError } from '../kafka-common/kafka-publish-errors.js';
import { PartitionCheck } from '../kafka-common/partition-check.js';
import { heartbeatIntervalMs, withKafkaDefaults, type ResolvedKafkaOptions } from '../kafka-common/kafka-defaults.js';
import type { PlatformaticKafkaBusOptions } from './platformatic-kafka-bus-options.interface.js';
import { loadPlatformaticKafka, type PlatformaticKafkaModule } from './platformatic-kafka-client.js';
import { platformaticGroupOffsets } from './platformatic-kafka-group-offsets.js';
import { PlatformaticKafkaInbox } from './platformatic-kafka-inbox.js';
import { toProduced } from './platformatic-kafka-message.js';
import { PlatformaticKafkaSubscription } from './platformatic-kafka-subscription.js';
import { VrpcBusError } from '../../errors/vrpc-bus.error.js';
import { provisionTopics } from '../core/provision-topics.js';

/** Keys and headers as strings, values as bytes. */
type Keyed = [string, Buffer | undefined, string, string];

interface Connected {
  kafka: PlatformaticKafkaModule;
  producer: Producer<Keyed[0], Keyed[1], Keyed[2], Keyed[3]>;
  admin: Admin;
}

/**
 * Apache Kafka through `@platformatic/kafka` (maintained; kafkajs has had no release since
 * 2023), with the kafkajs bus' semantics: keyed partitions (the same murmur2 partitioner, so
 * both clients route a key alike), groups committing up to the lowest unfinished message, and
 * an inbox pinned to one partition of the reply topic. v1.x runs on Node ≥ 20.19.4; v2 needs
 * Node 22. The client is loaded on `connect()`.
 */
export class PlatformaticKafkaBus implements VrpcBus {
  readonly system = 'kafka';
  /** Deliveries are counted in the metadata of the group's commits, as on the kafkajs bus. */
  readonly capabilities: BusCapabilities = { deliveryCount: true };
  private readonly logger = new Logger(PlatformaticKafkaBus.name);
  private readonly settings: ResolvedKafkaOptions;
  private readonly batcher: PublishBatcher<OutgoingMessage>;
  /** Largest message published (`maxMessageBytes`, default about 1 MiB). */
  readonly maxMessageBytes: number;
  private readonly partitions = new PartitionCheck('platformatic-kafka', async (topic) => {
    const metadata = await (await this.connected()).admin.metadata({ topics: [topic], forceUpdate: true });
    return metadata.topics.get(topic)?.partitionsCount ?? 0;
  });
  private readonly lifecycle = new BusLifecycle<Connected>(
    () => this.open(),
    async ({ producer, admin }) => void (await Promise.allSettled([producer.close(), admin.close()])),
  );

  constructor(private readonly options: PlatformaticKafkaBusOptions = {}) {
    this.settings = withKafkaDefaults(options);
    this.maxMessageBytes = this.settings.maxMessageBytes;
    this.batcher = new PublishBatcher((messages) => this.send(messages), { maxBytes: this.maxMessageBytes, size: messageBytes });
  }

  /** Loads the client, creates the producer and admin, and checks the brokers answer; idempotent. */
  async connect(): Promise<void> {
    await this.connected();
  }

  /** Closes subscriptions (draining and committing) and inboxes, then the producer and admin. */
  close(): Promise<void> {
    return this.lifecycle.close();
  }

  publish(messages: OutgoingMessage[]): Promise<void> {
    return this.batcher.publish(messages);
  }

  async subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<BusSubscription> {
    const connected = await this.connected();
    const consumer = this.consumer(connected, options.group, Math.max(16, options.concurrency));
    const offsets = platformaticGroupOffsets(connected.kafka, connected.admin, consumer, {
      clientId: this.base.clientId,
      options: { ...this.options.client },
    });
    const subscription = new PlatformaticKafkaSubscription(consumer, options, handler, this.settings.commitIntervalMs, offsets);
    try {
      await subscription.start();
    } catch (error: unknown) {
      await consumer.close().catch(() => undefined);
      await offsets.close().catch(() => undefined);
      throw error;
    }
    return this.lifecycle.subscription(subscription);
  }

  async openInbox(instanceId: string, topic: string, handler: MessageHandler, options?: InboxOptions): Promise<BusInbox> {
    const connected = await this.connected();
    const metadata = await connected.admin.metadata({ topics: [topic] });
    const partitions = metadata.topics.get(topic)?.partitionsCount ?? 1;
    // A consumer only for its fetch API: the inbox joins no group.
    const consumer = this.consumer(connected, `vrpc.inbox.${instanceId}`, 1);
    const inbox = new PlatformaticKafkaInbox(consumer, this.settings.maxWaitTimeMs);
    try {
      await inbox.open(instanceId, topic, handler, partitions, options?.scope === 'whole-topic');
    } catch (error: unknown) {
      await consumer.close().catch(() => undefined);
      throw error;
    }
    return this.lifecycle.inbox(inbox);
  }

  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    const { admin } = await this.connected();
    await provisionTopics(
      'platformatic-kafka',
      specs.map((spec) => spec.topic),
      async () => {
        const existing = new Set(await admin.listTopics());
        const missing = specs.filter((spec) => !existing.has(spec.topic));
        // One request per partition count: createTopics takes one count for all its topics.
        for (const spec of missing) {
          try {
            await admin.createTopics({ topics: [spec.topic], partitions: spec.partitions, replicas: spec.replicationFactor ?? -1 });
          } catch (error: unknown) {
            // Another instance may have created it meanwhile.
            if (!(await admin.listTopics()).includes(spec.topic)) throw error;
          }
        }
        if (missing.length > 0) this.logger.log(`created topics ${missing.map((spec) => spec.topic).join(', ')}`);
      },
    );
  }

  async health(): Promise<BusHealth> {
    const connecting = this.lifecycle.current();
    if (!connecting) return { healthy: false, details: 'not connected' };
    try {
      // A dead broker must not hold the check for the client's retries: the answer comes within the limit.
      const answer = (async () => {
        const { admin } = await connecting;
        return admin.metadata({ topics: [], forceUpdate: true });
      })();
      const metadata = await raceDeadline(answer, Date.now() + HEALTH_TIMEOUT_MS, 'the broker');
      return { healthy: true, details: `${metadata.brokers.size} broker(s)` };
    } catch (error: unknown) {
      return { healthy: false, details: String(error) };
    }
  }

  private get base() {
    return {
      ...this.options.client,
      clientId: this.settings.clientId,
      bootstrapBrokers: this.settings.brokers,
    };
  }

  private consumer({ kafka }: Connected, groupId: string, highWaterMark: number): Consumer<Keyed[0], Keyed[1], Keyed[2], Keyed[3]> {
    const sessionTimeout = this.settings.sessionTimeoutMs;
    return new kafka.Consumer({
      ...this.base,
      groupId,
      sessionTimeout,
      heartbeatInterval: heartbeatIntervalMs(sessionTimeout),
      maxWaitTime: this.settings.maxWaitTimeMs,
      autocommit: false,
      highWaterMark,
      deserializers: { key: kafka.stringDeserializer, headerKey: kafka.stringDeserializer, headerValue: kafka.stringDeserializer },
    });
  }

  private connected(): Promise<Connected> {
    return this.lifecycle.client();
  }

  private async open(): Promise<Connected> {
    const kafka = await loadPlatformaticKafka();
    const admin = new kafka.Admin(this.base);
    const acks = this.settings.acks;
    const producer = new kafka.Producer<Keyed[0], Keyed[1], Keyed[2], Keyed[3]>({
      ...this.base,
      acks,
      // Without it the client's retries (e.g. right after a topic is created) can write a batch twice.
      idempotent: acks === -1,
      autocreateTopics: false,
      compression: this.settings.compression,
      partitioner: kafka.compatibilityPartitioner,
      serializers: { key: kafka.stringSerializer, headerKey: kafka.stringSerializer, headerValue: kafka.stringSerializer },
    });
    try {
      await admin.metadata({ topics: [] });
    } catch (error: unknown) {
      await Promise.allSettled([producer.close(), admin.close()]);
      throw new VrpcBusError('platformatic-kafka', `cannot reach the brokers ${this.base.bootstrapBrokers.join(', ')}: ${String(error)}`, {
        cause: error,
      });
    }
    return { kafka, producer, admin };
  }

  private async send(messages: OutgoingMessage[]): Promise<void> {
    const { producer } = await this.connected();
    try {
      await this.partitions.check(messages);
      await producer.send({ messages: messages.map(toProduced) });
    } catch (error: unknown) {
      throw kafkaPublishError('platformatic-kafka', error);
    }
  }
}
