import { Logger } from '@nestjs/common';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { BusSubscription, MessageHandler, PartitionLag, SubscribeOptions, SubscriptionState } from '../bus.interface.js';
import { LAG_TIMEOUT_MS } from '../core/health-timeout.js';
import { raceDeadline } from '../../utils/race-deadline.js';
import { HandlerPool } from '../core/handler-pool.js';
import type { RabbitMqConnection } from './rabbitmq-connection.js';
import { deliveryCount } from './rabbitmq-delivery-count.js';
import { groupQueue, toIncoming } from './rabbitmq-message.js';
import { VrpcBusError } from '../../errors/vrpc-bus.error.js';
import { drainDeadline } from '../core/drain-deadline.js';

/** How group queues are declared and failures retried. */
export interface RabbitMqSubscriptionSettings {
  queueType: 'quorum' | 'classic';
  retryDelayMs: number;
}

/**
 * A consumer-group member on RabbitMQ: the group is one durable queue per topic, bound to the
 * topic's exchange and shared by all members (competing consumers). The channel's prefetch is
 * the concurrency, a message is acknowledged when its handler resolves, and requeued after a
 * delay when it rejects. Unacknowledged messages go back to the queue when the channel or the
 * connection closes, so a crashed member's messages reach the others.
 */
export class RabbitMqSubscription implements BusSubscription {
  private readonly logger = new Logger(RabbitMqSubscription.name);
  private readonly pool: HandlerPool;
  private readonly retries = new Map<NodeJS.Timeout, () => void>();
  private channel: Channel | undefined;
  private consumerTags: string[] = [];
  private stopReconnect: () => void = () => undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly connection: RabbitMqConnection,
    private readonly options: SubscribeOptions,
    private readonly handler: MessageHandler,
    private readonly settings: RabbitMqSubscriptionSettings,
  ) {
    this.pool = new HandlerPool(options.concurrency);
  }

  async start(): Promise<void> {
    await this.setup();
    this.stopReconnect = this.connection.onReconnect(() => this.setup());
  }

  /** Per topic (as partition 0): the messages ready in the group's queue (not those delivered and unacknowledged). */
  lag(): Promise<PartitionLag[]> {
    const channel = this.channel;
    if (!channel) return Promise.reject(new VrpcBusError('rabbitmq', 'not consuming'));
    const query = Promise.all(
      this.options.topics.map(async (topic) => {
        const { messageCount } = await channel.checkQueue(groupQueue(this.options.group, topic));
        return { topic, partition: 0, lag: messageCount };
      }),
    );
    return raceDeadline(query, Date.now() + LAG_TIMEOUT_MS, 'the lag query');
  }

  state(): SubscriptionState {
    return { consuming: this.channel !== undefined && !this.closing, restarts: 0 };
  }

  /** Stops consuming, waits for the handlers in flight and acknowledges them, then closes the channel. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopReconnect();
      const channel = this.channel;
      await Promise.allSettled(channel ? this.consumerTags.map((tag) => channel.cancel(tag)) : []);
      await this.pool.drain(drainDeadline(this.options));
      for (const [timer, requeue] of this.retries) {
        clearTimeout(timer);
        requeue();
      }
      this.retries.clear();
      await channel?.close().catch(() => undefined);
    })();
    return this.closing;
  }

  private async setup(): Promise<void> {
    if (this.closing) return;
    const channel = await this.connection.createChannel();
    try {
      await channel.prefetch(this.options.concurrency);
      const tags: string[] = [];
      for (const topic of this.options.topics) {
        const queue = groupQueue(this.options.group, topic);
        await channel
          .assertQueue(queue, { durable: true, arguments: { 'x-queue-type': this.settings.queueType } })
          .catch((error: unknown) => {
            throw new VrpcBusError(
              'rabbitmq',
              `cannot declare queue "${queue}" (does it exist with another type than ${this.settings.queueType}?): ${String(error)}`,
              { cause: error },
            );
          });
        await channel.bindQueue(queue, topic, '');
        const { consumerTag } = await channel.consume(queue, (message) => this.onMessage(channel, topic, message), { noAck: false });
        tags.push(consumerTag);
      }
      this.channel = channel;
      this.consumerTags = tags;
    } catch (error: unknown) {
      await channel.close().catch(() => undefined);
      throw error;
    }
  }

  private onMessage(channel: Channel, topic: string, message: ConsumeMessage | null): void {
    if (!message) {
      this.logger.warn(`the broker cancelled consumption of ${topic} for ${this.options.group} (queue deleted?)`);
      return;
    }
    const incoming = toIncoming(topic, 0, message);
    incoming.deliveryCount = deliveryCount(message);
    // The prefetch bounds what the broker pushes; a slot is still waited for (after a reconnect
    // the old channel's handlers may still run beside the new channel's deliveries).
    this.pool.submit(incoming, this.options.orderByKey ? incoming.key : null, this.handler, (outcome) => {
      if (outcome.ok) {
        settle(() => channel.ack(message));
        return;
      }
      this.logger.error(`handler failed for ${topic} (delivery ${message.fields.deliveryTag}), requeueing: ${String(outcome.error)}`);
      const requeue = () => settle(() => channel.nack(message, false, true));
      const timer = setTimeout(() => {
        this.retries.delete(timer);
        requeue();
      }, this.settings.retryDelayMs);
      this.retries.set(timer, requeue);
    });
  }
}

/** Acknowledges on a channel that may have closed meanwhile: the broker then requeued the message already. */
function settle(acknowledge: () => void): void {
  try {
    acknowledge();
  } catch {
    // Channel closed: nothing to acknowledge any more.
  }
}
