import { setTimeout as delay } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { Consumer, MessagesStream } from '@platformatic/kafka';
import type { BusSubscription, MessageHandler, PartitionLag, SubscribeOptions, SubscriptionState } from '../bus.interface.js';
import { ConsumerState, groupLag } from '../kafka-common/group-lag.js';
import { HandlerPool } from '../core/handler-pool.js';
import { raceDeadline } from '../../utils/race-deadline.js';
import { DeliveryAttempts } from '../kafka-common/delivery-attempts.js';
import { PartitionCommits } from '../kafka-common/partition-commits.js';
import type { PlatformaticGroupOffsets } from './platformatic-kafka-group-offsets.js';
import { type StringKeyedMessage, toIncoming } from './platformatic-kafka-message.js';
import { drainDeadline } from '../core/drain-deadline.js';

const ASSIGNMENT_COUNT_TIMEOUT_MS = 2_000;

type StringConsumer = Consumer<string, Buffer | undefined, string, string>;
type StringStream = MessagesStream<string, Buffer | undefined, string, string>;

/**
 * A consumer-group member on `@platformatic/kafka` with the same contract as the kafkajs bus:
 * up to `concurrency` messages at once across its partitions, each partition committed only
 * up to its lowest unfinished message, so a crash or rebalance redelivers what was not done.
 */
export class PlatformaticKafkaSubscription implements BusSubscription {
  private readonly logger = new Logger(PlatformaticKafkaSubscription.name);
  private readonly pool: HandlerPool;
  private readonly stop = new AbortController();
  private readonly commits: PartitionCommits;
  private stream: StringStream | undefined;
  private loop: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private readonly attempts: DeliveryAttempts;
  private assigned: Promise<void> = Promise.resolve();
  /** The partitions of the current generation: kept ones were not handed out again. */
  private held: Record<string, number[]> = {};
  private readonly consuming = new ConsumerState();

  constructor(
    private readonly consumer: StringConsumer,
    private readonly options: SubscribeOptions,
    private readonly handler: MessageHandler,
    commitIntervalMs: number,
    private readonly offsets: PlatformaticGroupOffsets,
  ) {
    this.attempts = new DeliveryAttempts(offsets, (error) =>
      this.logger.warn(`a delivery could not be counted (a poison request may run more often): ${String(error)}`),
    );
    this.pool = new HandlerPool(options.concurrency);
    this.commits = new PartitionCommits(
      (positions) =>
        this.consumer.commit({
          offsets: positions.map(({ topic, partition, offset }) => ({ topic, partition, offset: BigInt(offset), leaderEpoch: -1 })),
        }),
      commitIntervalMs,
      (error) => this.logger.warn(`commit failed (messages may be redelivered): ${String(error)}`),
    );
  }

  lag(): Promise<PartitionLag[]> {
    return groupLag(this.offsets, this.options.topics);
  }

  state(): SubscriptionState {
    return this.consuming.snapshot();
  }

  async start(): Promise<void> {
    this.consumer.on('consumer:group:join', ({ assignments }) => {
      this.consuming.joined();
      const assignment = Object.fromEntries((assignments ?? []).map(({ topic, partitions }) => [topic, partitions]));
      this.commits.onRebalance(this.held, assignment);
      this.countDeliveries(assignment);
    });
    this.stream = await this.consume();
    this.consuming.joined();
    this.loop = this.run(this.stream);
  }

  /** Stops taking messages, waits for those in flight, commits them, and leaves the group. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stop.abort();
      this.consuming.stopped();
      const closed = this.stream?.close().catch(() => undefined);
      await this.pool.drain(drainDeadline(this.options));
      await this.loop;
      await closed;
      this.commits.stop();
      await this.commits.flush();
      await this.consumer.close().catch((error: unknown) => this.logger.warn(`leaving the group failed: ${String(error)}`));
      await this.offsets.close().catch(() => undefined);
    })();
    return this.closing;
  }

  private consume(): Promise<StringStream> {
    return this.consumer.consume({
      topics: this.options.topics,
      mode: 'committed',
      fallbackMode: 'earliest',
      autocommit: false,
    });
  }

  private async run(first: StringStream): Promise<void> {
    let stream = first;
    while (!this.stop.signal.aborted) {
      try {
        for await (const message of stream) {
          if (this.stop.signal.aborted) break;
          await this.pool.take();
          await this.assigned;
          if (this.stop.signal.aborted) {
            this.pool.release();
            break;
          }
          const counted = this.attempts.deliveries(message.topic, message.partition, message.offset.toString());
          this.handle(message, typeof counted === 'number' ? counted : await counted);
        }
        if (this.stop.signal.aborted) return;
      } catch (error: unknown) {
        if (this.stop.signal.aborted) return;
        this.consuming.crashed(error, true);
        this.logger.warn(`consuming ${this.options.topics.join(', ')} for ${this.options.group} failed, resuming: ${String(error)}`);
      }
      // The stream ended or failed without a close: consume again from the committed offsets.
      await delay(1_000, undefined, { signal: this.stop.signal }).catch(() => undefined);
      if (this.stop.signal.aborted) return;
      try {
        stream = await this.consume();
        this.stream = stream;
        this.consuming.joined();
      } catch (error: unknown) {
        this.logger.warn(`resuming ${this.options.group} failed: ${String(error)}`);
      }
    }
  }

  /** Counts the deliveries of the partitions just assigned, as the kafkajs bus does; never stalls a partition for long. */
  private countDeliveries(assignment: Record<string, number[]>): void {
    const kept = this.held;
    this.held = assignment;
    const counted = this.attempts.onAssignment(assignment, kept);
    this.assigned = raceDeadline(counted, Date.now() + ASSIGNMENT_COUNT_TIMEOUT_MS, 'counting deliveries').catch((error: unknown) => {
      this.logger.warn(`delivery counts unavailable for this assignment: ${String(error)}`);
    });
  }

  private handle(message: StringKeyedMessage, deliveryCount: number): void {
    const tracker = this.commits.tracker(message.topic, message.partition);
    const offset = message.offset.toString();
    if (!tracker.start(offset)) {
      // Re-read after a rejoin: still running here, or already answered.
      this.pool.release();
      this.commits.schedule();
      return;
    }
    const incoming = toIncoming(message);
    incoming.deliveryCount = deliveryCount;
    this.pool.run(incoming, this.options.orderByKey ? incoming.key : null, this.handler, (outcome) => {
      if (outcome.ok) {
        tracker.finish(offset);
        this.commits.schedule();
        return;
      }
      // Left uncommitted on purpose: redelivered after a restart or rebalance.
      this.logger.error(`handler failed for ${message.topic}[${message.partition}]@${offset}: ${String(outcome.error)}`);
    });
  }
}
