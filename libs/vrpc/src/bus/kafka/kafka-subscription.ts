import { Logger } from '@nestjs/common';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import type {
  BusSubscription,
  IncomingMessage,
  MessageHandler,
  PartitionLag,
  SubscribeOptions,
  SubscriptionState,
} from '../bus.interface.js';
import { ConsumerState, groupLag } from '../kafka-common/group-lag.js';
import type { GroupOffsetsPort } from '../kafka-common/group-offsets.interface.js';
import { HandlerPool, type Outcome } from '../core/handler-pool.js';
import type { OffsetTracker } from '../kafka-common/offset-tracker.js';
import { PartitionCommits } from '../kafka-common/partition-commits.js';
import { raceDeadline } from '../../utils/race-deadline.js';
import { restartAfterCrash } from './consumer-restarter.js';
import { DeliveryAttempts } from '../kafka-common/delivery-attempts.js';
import type { ConsumerTimings } from './kafka-inbox.js';
import { kafkajsGroupOffsets } from './kafkajs-group-offsets.js';
import { keyedByOwnId, toIncoming } from './kafka-message.js';
import type { KafkaClients } from './kafkajs-client.js';
import { stickyAssigner } from './sticky-assigner.js';
import type { PartitionsByTopic } from './sticky-plan.js';
import { drainDeadline } from '../core/drain-deadline.js';
import { retryUntil } from '../../utils/retry.js';
import { isTopicNotYetKnown, NEW_TOPIC_MS } from './new-topic.js';

const ASSIGNMENT_COUNT_TIMEOUT_MS = 2_000;

/**
 * A consumer-group member that handles up to `concurrency` messages at once across its
 * partitions, and commits each partition only up to its lowest unfinished message.
 */
export class KafkaSubscription implements BusSubscription {
  private readonly logger = new Logger(KafkaSubscription.name);
  private readonly pool: HandlerPool;
  private readonly commits: PartitionCommits;
  private closing = false;
  private readonly attempts: DeliveryAttempts;
  private assigned: Promise<void> = Promise.resolve();
  private readonly consumer: Consumer;
  /** The partitions of the current generation, reported at the next join to keep them. */
  private held: PartitionsByTopic = {};
  private readonly offsets: GroupOffsetsPort;
  private readonly consuming = new ConsumerState();

  constructor(
    { kafkajs, kafka, admin }: KafkaClients,
    timings: ConsumerTimings,
    private readonly options: SubscribeOptions,
    private readonly handler: MessageHandler,
    commitIntervalMs: number,
  ) {
    this.consumer = kafka.consumer({
      ...timings,
      groupId: options.group,
      // Round robin stays listed so that members of an older version can share the group.
      partitionAssigners: [stickyAssigner(kafkajs.AssignerProtocol, () => this.held), kafkajs.PartitionAssigners.roundRobin],
      allowAutoTopicCreation: false,
    });
    this.pool = new HandlerPool(options.concurrency);
    this.commits = new PartitionCommits(
      (positions) => this.consumer.commitOffsets(positions),
      commitIntervalMs,
      (error) => this.logger.warn(`commit failed (requests may be redelivered): ${String(error)}`),
    );
    this.offsets = kafkajsGroupOffsets(admin, this.consumer, options.group);
    this.attempts = new DeliveryAttempts(this.offsets, (error) =>
      this.logger.warn(`a delivery could not be counted (a poison request may run more often): ${String(error)}`),
    );
  }

  lag(): Promise<PartitionLag[]> {
    return groupLag(this.offsets, this.options.topics);
  }

  state(): SubscriptionState {
    return this.consuming.snapshot();
  }

  async start(): Promise<void> {
    const { GROUP_JOIN, CRASH, STOP } = this.consumer.events;
    this.consumer.on(CRASH, ({ payload }) => (this.closing ? undefined : this.consuming.crashed(payload.error, true)));
    this.consumer.on(STOP, () => this.consuming.stopped());
    // A new generation starts from the committed offsets; forget the old positions.
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      this.consuming.joined();
      const kept = this.held;
      this.held = payload.memberAssignment;
      this.commits.onRebalance(kept, payload.memberAssignment);
      // Counting deliveries must not stall a partition (its coordinator may be the broker that just went away).
      const counted = this.attempts.onAssignment(payload.memberAssignment, kept);
      this.assigned = raceDeadline(counted, Date.now() + ASSIGNMENT_COUNT_TIMEOUT_MS, 'counting deliveries').catch((error: unknown) => {
        this.logger.warn(`delivery counts unavailable for this assignment: ${String(error)}`);
      });
    });
    restartAfterCrash(
      this.consumer,
      () => this.run(),
      () => this.closing,
      this.logger,
    );
    // Its topics may be new: a broker that has not learned of them yet refuses the subscription for a moment.
    await retryUntil(
      Date.now() + NEW_TOPIC_MS,
      () => this.run(),
      (error) => !isTopicNotYetKnown(error),
    );
  }

  private async run(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, Math.min(this.options.concurrency, 32)),
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.consuming.stopped();
    this.consumer.pause(this.options.topics.map((topic) => ({ topic })));
    // What is unfinished at the drain timeout stays uncommitted: it is redelivered.
    await this.pool.drain(drainDeadline(this.options));
    this.commits.stop();
    await this.commits.flush();
    await this.consumer.disconnect();
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    await this.assigned;
    const stopped = () => this.closing || !payload.isRunning() || payload.isStale();
    const tracker = this.commits.tracker(batch.topic, batch.partition);
    // One per batch, not per message: this is every request's path.
    const settle = (outcome: Outcome, handled: IncomingMessage) => this.settle(tracker, handled, outcome);
    for (const message of batch.messages) {
      if (stopped()) return;
      // A free slot is taken at once, without a promise: a batch that never waits hands out
      // all its messages in one go and heartbeats once, at its end (kafkajs' heartbeat is not
      // free per message). Heartbeats keep the membership while the batch waits for a slot.
      if (!this.pool.tryTake()) {
        await this.pool.take();
        try {
          await payload.heartbeat();
        } catch (error: unknown) {
          this.pool.release();
          throw error;
        }
        if (stopped()) {
          this.pool.release();
          return;
        }
      }
      payload.resolveOffset(message.offset);
      if (!tracker.start(message.offset)) {
        // Re-read after a rejoin: still running here, or already answered.
        this.pool.release();
        this.commits.schedule();
        continue;
      }
      const incoming = toIncoming(batch.topic, batch.partition, message);
      const counted = this.attempts.deliveries(batch.topic, batch.partition, message.offset);
      incoming.deliveryCount = typeof counted === 'number' ? counted : await counted;
      // A request keyed by its own id needs no place in a queue of its key.
      const key = this.options.orderByKey && !keyedByOwnId(message.key, message.headers) ? incoming.key : null;
      this.pool.run(incoming, key, this.handler, settle);
    }
    await payload.heartbeat();
  }

  private settle(tracker: OffsetTracker, { topic, partition, offset }: IncomingMessage, outcome: Outcome): void {
    if (outcome.ok) {
      tracker.finish(offset);
      this.commits.schedule();
      return;
    }
    // Left uncommitted on purpose: redelivered after a restart or rebalance.
    this.logger.error(`handler failed for ${topic}[${partition}]@${offset}: ${String(outcome.error)}`);
  }
}
