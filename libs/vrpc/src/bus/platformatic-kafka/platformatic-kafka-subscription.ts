import { setTimeout as delay } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { Consumer, MessagesStream } from '@platformatic/kafka';
import type { BusSubscription, MessageHandler, SubscribeOptions } from '../bus.interface.js';
import { HandlerPool } from '../shared/handler-pool.js';
import { OffsetTracker } from '../../utils/offset-tracker.js';
import { type StringKeyedMessage, toIncoming } from './platformatic-kafka-message.js';

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
  private trackers = new Map<string, OffsetTracker>();
  private stream: StringStream | undefined;
  private loop: Promise<void> = Promise.resolve();
  private commitTimer: NodeJS.Timeout | undefined;
  private committing: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly consumer: StringConsumer,
    private readonly options: SubscribeOptions,
    private readonly handler: MessageHandler,
    private readonly commitIntervalMs: number,
  ) {
    this.pool = new HandlerPool(options.concurrency, options.orderByKey ?? false);
  }

  async start(): Promise<void> {
    // A new generation starts from the committed offsets; forget the old positions.
    this.consumer.on('consumer:group:join', () => {
      this.trackers = new Map();
    });
    this.stream = await this.consume();
    this.loop = this.run(this.stream);
  }

  /** Stops taking messages, waits for those in flight, commits them, and leaves the group. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stop.abort();
      const closed = this.stream?.close().catch(() => undefined);
      await this.pool.drain();
      await this.loop;
      await closed;
      clearTimeout(this.commitTimer);
      await this.commit();
      await this.consumer.close().catch((error: unknown) => this.logger.warn(`leaving the group failed: ${String(error)}`));
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
          await this.pool.whenFree();
          if (this.stop.signal.aborted) break;
          this.handle(message);
        }
        if (this.stop.signal.aborted) return;
      } catch (error: unknown) {
        if (this.stop.signal.aborted) return;
        this.logger.warn(`consuming ${this.options.topics.join(', ')} for ${this.options.group} failed, resuming: ${String(error)}`);
      }
      // The stream ended or failed without a close: consume again from the committed offsets.
      await delay(1_000, undefined, { signal: this.stop.signal }).catch(() => undefined);
      if (this.stop.signal.aborted) return;
      try {
        stream = await this.consume();
        this.stream = stream;
      } catch (error: unknown) {
        this.logger.warn(`resuming ${this.options.group} failed: ${String(error)}`);
      }
    }
  }

  private handle(message: StringKeyedMessage): void {
    const tracker = this.tracker(message.topic, message.partition);
    const offset = message.offset.toString();
    tracker.start(offset);
    this.pool.run(toIncoming(message), this.handler, (outcome) => {
      if (outcome.ok) {
        tracker.finish(offset);
        this.scheduleCommit();
        return;
      }
      // Left uncommitted on purpose: redelivered after a restart or rebalance.
      this.logger.error(`handler failed for ${message.topic}[${message.partition}]@${offset}: ${String(outcome.error)}`);
    });
  }

  private tracker(topic: string, partition: number): OffsetTracker {
    const id = `${topic}\u0000${partition}`;
    let tracker = this.trackers.get(id);
    if (!tracker) {
      tracker = new OffsetTracker();
      this.trackers.set(id, tracker);
    }
    return tracker;
  }

  private scheduleCommit(): void {
    if (this.commitTimer || this.stop.signal.aborted) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      void this.commit();
    }, this.commitIntervalMs);
  }

  private commit(): Promise<void> {
    this.committing = this.committing.then(async () => {
      const offsets = [];
      for (const [id, tracker] of this.trackers) {
        const offset = tracker.takeCommittable();
        if (offset === null) continue;
        const [topic, partition] = id.split('\u0000');
        offsets.push({ topic, partition: Number(partition), offset: BigInt(offset), leaderEpoch: -1 });
      }
      if (offsets.length === 0) return;
      try {
        await this.consumer.commit({ offsets });
      } catch (error: unknown) {
        // A rebalance moved the partitions; their new owner re-reads from the last commit.
        this.logger.warn(`commit failed (messages may be redelivered): ${String(error)}`);
      }
    });
    return this.committing;
  }
}
