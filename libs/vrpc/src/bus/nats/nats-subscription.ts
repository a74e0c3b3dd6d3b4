import { setTimeout as delay } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { Consumer, ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { BusSubscription, MessageHandler, PartitionLag, SubscribeOptions, SubscriptionState } from '../bus.interface.js';
import { LAG_TIMEOUT_MS } from '../core/health-timeout.js';
import { raceDeadline } from '../../utils/race-deadline.js';
import { HandlerPool } from '../core/handler-pool.js';
import type { NatsModules } from './nats-client.js';
import { toIncoming } from './nats-message.js';
import { durableName, streamName } from './nats-subjects.js';
import { VrpcBusError } from '../../errors/vrpc-bus.error.js';
import { drainDeadline } from '../core/drain-deadline.js';

/** What a subscription needs from its bus. */
export interface NatsSubscriptionContext {
  modules: NatsModules;
  js: JetStreamClient;
  jsm: JetStreamManager;
  streamPrefix: string;
  ackWaitMs: number;
  retryDelayMs: number;
  fetchExpiresMs: number;
  /** Sends what is buffered (acknowledgements) to the server. */
  flush(): Promise<void>;
}

/**
 * A consumer-group member on JetStream: the group is a durable pull consumer per topic, shared
 * by all members (competing consumers). It pulls only as many messages as it has free slots,
 * acknowledges a message when its handler resolves, tells the server it is still working on
 * long ones, and asks for a delayed redelivery when a handler rejects.
 */
export class NatsSubscription implements BusSubscription {
  private readonly logger = new Logger(NatsSubscription.name);
  private readonly pool: HandlerPool;
  private readonly stop = new AbortController();
  private readonly fetches = new Set<ConsumerMessages>();
  private loops: Promise<void>[] = [];
  private readonly consumers: Array<[string, Consumer]> = [];
  private closing: Promise<void> | undefined;
  /** Messages in a handler, with the timer that keeps them ours. */
  private readonly inFlight = new Map<JsMsg, NodeJS.Timeout>();

  constructor(
    private readonly context: NatsSubscriptionContext,
    private readonly options: SubscribeOptions,
    private readonly handler: MessageHandler,
  ) {
    this.pool = new HandlerPool(options.concurrency);
  }

  async start(): Promise<void> {
    const consumers = this.consumers;
    for (const topic of this.options.topics) consumers.push([topic, await this.consumer(topic)]);
    this.loops = consumers.map(([topic, consumer]) => this.pull(topic, consumer));
  }

  /** Per topic (as partition 0): the durable consumer's messages not yet delivered plus those awaiting acknowledgement. */
  lag(): Promise<PartitionLag[]> {
    const query = Promise.all(
      this.consumers.map(async ([topic, consumer]) => {
        const { num_pending, num_ack_pending } = await consumer.info();
        return { topic, partition: 0, lag: num_pending + num_ack_pending };
      }),
    );
    return raceDeadline(query, Date.now() + LAG_TIMEOUT_MS, 'the lag query');
  }

  state(): SubscriptionState {
    return { consuming: this.consumers.length > 0 && !this.closing, restarts: 0 };
  }

  /** Stops pulling, waits for the handlers in flight, and sends their acknowledgements. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stop.abort();
      await Promise.allSettled([...this.fetches].map((fetch) => fetch.close()));
      // A loop waiting for a slot is let through at the drain's deadline, so the loops end after it.
      const deadline = drainDeadline(this.options);
      const drained = await this.pool.drain(deadline);
      await Promise.allSettled(this.loops);
      // Unfinished at the drain timeout: handed back for redelivery now, not acknowledged later.
      if (!drained || !(await this.pool.drain(deadline))) this.handBack();
      await this.context.flush().catch((error: unknown) => this.logger.warn(`flushing acknowledgements failed: ${String(error)}`));
    })();
    return this.closing;
  }

  /** The group's durable consumer on the topic's stream, created when missing. */
  private async consumer(topic: string): Promise<Consumer> {
    const { jsm, js, modules, streamPrefix, ackWaitMs } = this.context;
    const stream = streamName(streamPrefix, topic);
    const name = durableName(this.options.group);
    try {
      await jsm.consumers.add(stream, {
        durable_name: name,
        ack_policy: modules.jetstream.AckPolicy.Explicit,
        deliver_policy: modules.jetstream.DeliverPolicy.All,
        filter_subject: topic,
        ack_wait: modules.core.nanos(ackWaitMs),
        max_deliver: -1,
      });
    } catch (error: unknown) {
      // Another member may have created it with other settings; joining it is what a group member does.
      await jsm.consumers.info(stream, name).catch(() => {
        throw new VrpcBusError('nats', `cannot create consumer "${name}" on stream "${stream}" for topic ${topic}: ${String(error)}`, {
          cause: error,
        });
      });
    }
    return js.consumers.get(stream, name);
  }

  private async pull(topic: string, consumer: Consumer): Promise<void> {
    while (!this.stop.signal.aborted) {
      const slots = await this.pool.reserve();
      let used = 0;
      try {
        if (this.stop.signal.aborted) break;
        const batch = await consumer.fetch({ max_messages: slots, expires: this.context.fetchExpiresMs });
        this.fetches.add(batch);
        try {
          for await (const message of batch) {
            if (used >= slots) {
              message.nak();
              continue;
            }
            used++;
            this.handle(topic, message);
          }
        } finally {
          this.fetches.delete(batch);
        }
      } catch (error: unknown) {
        if (this.stop.signal.aborted) break;
        this.logger.warn(`pulling ${topic} for ${this.options.group} failed, retrying: ${String(error)}`);
        await delay(1_000, undefined, { signal: this.stop.signal }).catch(() => undefined);
      } finally {
        this.pool.release(slots - used);
      }
    }
  }

  private handle(topic: string, message: JsMsg): void {
    // Long handlers keep their message: without this it would be redelivered after ack_wait.
    const working = setInterval(
      () => {
        try {
          message.working();
        } catch {
          // Disconnected: the server redelivers after ack_wait, which is what a lost member means.
        }
      },
      Math.max(500, this.context.ackWaitMs / 2),
    );
    this.inFlight.set(message, working);
    const incoming = toIncoming(topic, 0, message);
    // JetStream counts the deliveries of each message to the durable consumer (a crashed member's are redelivered after ack_wait).
    incoming.deliveryCount = message.info.deliveryCount;
    this.pool.run(incoming, this.options.orderByKey ? incoming.key : null, this.handler, (outcome) => {
      clearInterval(working);
      // Handed back at close: another member may be running it already.
      if (!this.inFlight.delete(message)) return;
      if (outcome.ok) {
        message.ack();
        return;
      }
      this.logger.error(`handler failed for ${topic}@${message.seq}, redelivering: ${String(outcome.error)}`);
      message.nak(this.context.retryDelayMs);
    });
  }

  private handBack(): void {
    for (const [message, working] of this.inFlight) {
      clearInterval(working);
      try {
        message.nak();
      } catch {
        // Disconnected: the server redelivers after ack_wait anyway.
      }
    }
    this.inFlight.clear();
  }
}
