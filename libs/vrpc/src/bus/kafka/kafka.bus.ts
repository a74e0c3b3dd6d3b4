import { Logger } from '@nestjs/common';
import type { KafkaConfig } from 'kafkajs';
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
import { provisionTopics } from '../core/provision-topics.js';
import { messageBytes } from '../core/message-size.js';
import { PublishBatcher } from '../core/publish-batcher.js';
import { kafkaPublishError } from '../kafka-common/kafka-publish-errors.js';
import { PartitionCheck } from '../kafka-common/partition-check.js';
import { heartbeatIntervalMs, withKafkaDefaults, type ResolvedKafkaOptions } from '../kafka-common/kafka-defaults.js';
import type { KafkaCompression } from '../kafka-common/kafka-common-options.interface.js';
import type { KafkaBusOptions } from './kafka-bus-options.interface.js';
import { KafkaInbox, type ConsumerTimings } from './kafka-inbox.js';
import { loadKafkajs, type KafkaClients } from './kafkajs-client.js';
import { SNAPPY_LZ4_FEATURE } from './kafkajs-codecs.js';
import { raceDeadline } from '../../utils/race-deadline.js';
import { HEALTH_TIMEOUT_MS } from '../core/health-timeout.js';
import { loadOptionalPackage } from '../../utils/optional-package.js';
import { nestLogCreator } from './kafka-logger.js';
import { toTopicMessages } from './kafka-message.js';
import { kafkaPartitioner } from './kafka-partitioner.js';
import { noDelaySocketFactory } from './kafka-socket.js';
import { KafkaSubscription } from './kafka-subscription.js';

/** kafkajs' `CompressionTypes`, which are Kafka's codec ids. */
const KAFKAJS_COMPRESSION = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const satisfies Record<KafkaCompression, number>;

/** The default bus: Apache Kafka through kafkajs, which is loaded on `connect()`. */
export class KafkaBus implements VrpcBus {
  readonly system = 'kafka';
  /** Deliveries are counted in the metadata of the group's commits. */
  readonly capabilities: BusCapabilities = { deliveryCount: true };
  private readonly logger = new Logger(KafkaBus.name);
  private readonly settings: ResolvedKafkaOptions;
  private readonly batcher: PublishBatcher<OutgoingMessage>;
  /** kafkajs' `CompressionTypes` value of the `compression` option (the enum is kafkajs' own, loaded lazily). */
  private readonly compression: number;
  private readonly partitions = new PartitionCheck('kafka', async (topic) => {
    const { topics } = await (await this.lifecycle.client()).admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0]?.partitions.length ?? 0;
  });
  /** Largest message published (`maxMessageBytes`, default about 1 MiB). */
  readonly maxMessageBytes: number;
  private readonly lifecycle = new BusLifecycle<KafkaClients>(
    () => this.open(),
    async ({ producer, admin }) => void (await Promise.allSettled([producer.disconnect(), admin.disconnect()])),
  );

  constructor(private readonly options: KafkaBusOptions = {}) {
    this.settings = withKafkaDefaults(options);
    this.compression = KAFKAJS_COMPRESSION[this.settings.compression];
    this.maxMessageBytes = this.settings.maxMessageBytes;
    this.batcher = new PublishBatcher((messages) => this.send(messages), { maxBytes: this.maxMessageBytes, size: messageBytes });
  }

  /** Loads kafkajs and connects the producer and the admin client; idempotent. */
  async connect(): Promise<void> {
    await this.lifecycle.client();
  }

  /** Closes subscriptions (draining and committing) and inboxes, then the producer and admin. */
  close(): Promise<void> {
    return this.lifecycle.close();
  }

  publish(messages: OutgoingMessage[]): Promise<void> {
    return this.batcher.publish(messages);
  }

  async subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<BusSubscription> {
    const clients = await this.lifecycle.client();
    const subscription = new KafkaSubscription(clients, this.consumerTimings(), options, handler, this.settings.commitIntervalMs);
    await subscription.start();
    return this.lifecycle.subscription(subscription);
  }

  async openInbox(instanceId: string, topic: string, handler: MessageHandler, options?: InboxOptions): Promise<BusInbox> {
    const clients = await this.lifecycle.client();
    const inbox = new KafkaInbox(clients, this.consumerTimings());
    await inbox.open(instanceId, topic, handler, options?.scope === 'whole-topic');
    return this.lifecycle.inbox(inbox);
  }

  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    const { admin } = await this.lifecycle.client();
    const names = specs.map((spec) => spec.topic);
    await provisionTopics('kafka', names, async () => {
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((spec) => !existing.has(spec.topic));
      if (missing.length > 0) {
        try {
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((spec) => ({
              topic: spec.topic,
              numPartitions: spec.partitions,
              replicationFactor: spec.replicationFactor ?? -1,
            })),
          });
          this.logger.log(`created topics ${missing.map((spec) => spec.topic).join(', ')}`);
        } catch (error: unknown) {
          // Several instances starting at once race to create the same topics: losing is fine.
          const now = new Set(await admin.listTopics());
          if (!missing.every((spec) => now.has(spec.topic))) throw error;
        }
      }
      // Every topic must have its leaders before requests are published to it or read from it.
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      const leaderless = topics.filter((topic) => topic.partitions.length === 0 || topic.partitions.some((p) => p.leader < 0));
      if (leaderless.length > 0) throw new Error(`no leader yet for ${leaderless.map((topic) => topic.name).join(', ')}`);
    });
  }

  async health(): Promise<BusHealth> {
    const connecting = this.lifecycle.current();
    if (!connecting) return { healthy: false, details: 'not connected' };
    try {
      // A dead broker must not hold the check for the client's retries: the answer comes within the limit.
      const answer = (async () => {
        const { admin } = await connecting;
        return admin.describeCluster();
      })();
      const cluster = await raceDeadline(answer, Date.now() + HEALTH_TIMEOUT_MS, 'the broker');
      return { healthy: true, details: `${cluster.brokers.length} broker(s)` };
    } catch (error: unknown) {
      return { healthy: false, details: String(error) };
    }
  }

  private async open(): Promise<KafkaClients> {
    const kafkajs = await loadKafkajs();
    if (this.settings.compression === 'snappy' || this.settings.compression === 'lz4') {
      // Written through an optional peer: say so at connect rather than at every publish.
      await loadOptionalPackage(SNAPPY_LZ4_FEATURE, ['@platformatic/wasm-utils'], () => import('@platformatic/wasm-utils'));
    }
    const kafka = new kafkajs.Kafka({
      // A request to a broker that is going away must not hold a publish for kafkajs' 30 s, and
      // retries should find the new leader within a call's deadline rather than back off for long.
      requestTimeout: 5_000,
      retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 10 },
      socketFactory: noDelaySocketFactory,
      ...(this.options.client as Partial<KafkaConfig> | undefined),
      clientId: this.settings.clientId,
      brokers: this.settings.brokers,
      logCreator: nestLogCreator(kafkajs.logLevel),
    });
    const producer = kafka.producer({
      allowAutoTopicCreation: false,
      // kafkajs' own produce retry skips brokers that already answered, so messages whose
      // partition moved to such a broker are acknowledged but never written (tulios/kafkajs#1303).
      // vRPC retries whole publishes itself, retriable failures only, within its own bounds.
      retry: { retries: 0 },
      createPartitioner: kafkaPartitioner,
    });
    const admin = kafka.admin();
    try {
      await Promise.all([producer.connect(), admin.connect()]);
    } catch (error: unknown) {
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
      throw error;
    }
    return { kafkajs, kafka, producer, admin };
  }

  private async send(messages: OutgoingMessage[]): Promise<void> {
    const { producer } = await this.lifecycle.client();
    try {
      await this.partitions.check(messages);
      await producer.sendBatch({ acks: this.settings.acks, compression: this.compression, topicMessages: toTopicMessages(messages) });
    } catch (error: unknown) {
      throw kafkaPublishError('kafka', error);
    }
  }

  /**
   * Timings shared by every consumer, the inboxes included. After a coordinator restart a
   * rejoining consumer waits for its own stale member to expire, so the session timeout also
   * bounds how long replies and requests stall after a whole-cluster outage.
   */
  private consumerTimings(): ConsumerTimings {
    const sessionTimeout = this.settings.sessionTimeoutMs;
    return { sessionTimeout, heartbeatInterval: heartbeatIntervalMs(sessionTimeout), maxWaitTimeInMs: this.settings.maxWaitTimeMs };
  }
}
