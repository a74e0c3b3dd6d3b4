import { Logger } from '@nestjs/common';
import { Kafka, type Admin, type Producer } from 'kafkajs';
import type {
  BusCapabilities,
  BusHealth,
  BusInbox,
  BusSubscription,
  MessageHandler,
  OutgoingMessage,
  SubscribeOptions,
  TopicSpec,
  VrpcBus,
} from '../bus.interface.js';
import { PublishBatcher } from '../core/publish-batcher.js';
import { retryUntil } from '../../utils/retry.js';
import { resolveBrokers } from '../kafka-common/resolve-brokers.js';
import type { KafkaBusOptions } from './kafka-bus-options.interface.js';
import { KafkaInbox, type ConsumerTimings } from './kafka-inbox.js';
import { nestLogCreator } from './kafka-logger.js';
import { toTopicMessages } from './kafka-message.js';
import { kafkaPartitioner } from './kafka-partitioner.js';
import { noDelaySocketFactory } from './kafka-socket.js';
import { KafkaSubscription } from './kafka-subscription.js';

const TOPIC_READY_MS = 10_000;

/** The default bus: Apache Kafka through kafkajs. */
export class KafkaBus implements VrpcBus {
  /** Deliveries are counted in the metadata of the group's commits. */
  readonly capabilities: BusCapabilities = { deliveryCount: true };
  private readonly logger = new Logger(KafkaBus.name);
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly batcher: PublishBatcher<OutgoingMessage>;
  private readonly closables = new Set<BusSubscription | BusInbox>();
  private connecting: Promise<void> | undefined;

  constructor(private readonly options: KafkaBusOptions = {}) {
    this.kafka = new Kafka({
      // A request to a broker that is going away must not hold a publish for kafkajs' 30 s, and
      // retries should find the new leader within a call's deadline rather than back off for long.
      requestTimeout: 5_000,
      retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 10 },
      socketFactory: noDelaySocketFactory,
      ...options.client,
      clientId: options.clientId ?? 'vrpc',
      brokers: resolveBrokers(options),
      logCreator: nestLogCreator,
    });
    this.producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      // kafkajs' own produce retry skips brokers that already answered, so messages whose
      // partition moved to such a broker are acknowledged but never written (tulios/kafkajs#1303).
      // vRPC retries whole publishes itself, until each call's deadline.
      retry: { retries: 0 },
      createPartitioner: kafkaPartitioner,
    });
    this.admin = this.kafka.admin();
    this.batcher = new PublishBatcher((messages) => this.send(messages));
  }

  /** Connects the producer and the admin client; idempotent. */
  connect(): Promise<void> {
    this.connecting ??= Promise.all([this.producer.connect(), this.admin.connect()]).then(() => undefined);
    this.connecting.catch(() => (this.connecting = undefined));
    return this.connecting;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.closables].map((closable) => closable.close()));
    this.closables.clear();
    if (this.connecting) {
      this.connecting = undefined;
      await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
    }
  }

  publish(messages: OutgoingMessage[]): Promise<void> {
    return this.batcher.publish(messages);
  }

  async subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<BusSubscription> {
    await this.connect();
    const subscription = new KafkaSubscription(
      (partitionAssigners) => this.kafka.consumer({ ...this.consumerTimings(), groupId: options.group, partitionAssigners, allowAutoTopicCreation: false }),
      this.admin,
      options,
      handler,
      this.options.commitIntervalMs ?? 100,
    );
    await subscription.start();
    return this.track(subscription);
  }

  async openInbox(instanceId: string, topic: string, handler: MessageHandler): Promise<BusInbox> {
    await this.connect();
    const inbox = new KafkaInbox(this.kafka, this.admin, this.consumerTimings());
    await inbox.open(instanceId, topic, handler);
    return this.track(inbox);
  }

  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    await this.connect();
    const existing = new Set(await this.admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    if (missing.length > 0) {
      try {
        await this.admin.createTopics({
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
        const now = new Set(await this.admin.listTopics());
        if (!missing.every((spec) => now.has(spec.topic))) throw error;
      }
    }
    // A topic another instance just created may not be known to every broker yet.
    await retryUntil(Date.now() + TOPIC_READY_MS, () => this.admin.fetchTopicMetadata({ topics: specs.map((spec) => spec.topic) }));
  }

  async health(): Promise<BusHealth> {
    try {
      const cluster = await this.admin.describeCluster();
      return { healthy: true, details: `${cluster.brokers.length} broker(s)` };
    } catch (error: unknown) {
      return { healthy: false, details: String(error) };
    }
  }

  private async send(messages: OutgoingMessage[]): Promise<void> {
    await this.connect();
    await this.producer.sendBatch({ acks: this.options.acks ?? -1, topicMessages: toTopicMessages(messages) });
  }

  /**
   * Timings shared by every consumer, the inboxes included. After a coordinator restart a
   * rejoining consumer waits for its own stale member to expire, so the session timeout also
   * bounds how long replies and requests stall after a whole-cluster outage.
   */
  private consumerTimings(): ConsumerTimings {
    const sessionTimeout = this.options.sessionTimeoutMs ?? 10_000;
    return { sessionTimeout, heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeout / 5)), maxWaitTimeInMs: this.options.maxWaitTimeMs ?? 100 };
  }

  /** Remembers what to close with the bus; closing twice is harmless. */
  private track<T extends BusSubscription | BusInbox>(closable: T): T {
    this.closables.add(closable);
    return closable;
  }
}
