import { Logger } from '@nestjs/common';
import type { Channel } from 'amqplib';
import type { BusInbox, InboxAddress, MessageHandler } from '../bus.interface.js';
import { inboxPartition } from '../core/inbox-partition.js';
import type { RabbitMqConnection } from './rabbitmq-connection.js';
import { routingKey, toIncoming } from './rabbitmq-message.js';

/**
 * A client's private inbox: a queue of its own bound to the reply topic's exchange with its
 * partition (see `inboxPartition`) as routing key. The queue outlives a dropped
 * connection (it expires only after `expiresMs` unused), so replies sent while the client
 * reconnects wait for it.
 */
export class RabbitMqInbox implements BusInbox {
  private readonly logger = new Logger(RabbitMqInbox.name);
  private channel: Channel | undefined;
  private stopReconnect: () => void = () => undefined;
  private closed = false;
  address: InboxAddress = { topic: '' };
  private queue = '';

  constructor(
    private readonly connection: RabbitMqConnection,
    private readonly expiresMs: number,
  ) {}

  async open(instanceId: string, topic: string, handler: MessageHandler): Promise<void> {
    const partition = inboxPartition(instanceId);
    this.queue = `vrpc.inbox.${instanceId}`;
    const setup = () => this.setup(topic, partition, handler);
    await setup();
    this.stopReconnect = this.connection.onReconnect(setup);
    this.address = { topic, partition };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopReconnect();
    const channel = this.channel;
    this.channel = undefined;
    await channel?.deleteQueue(this.queue).catch(() => undefined);
    await channel?.close().catch(() => undefined);
  }

  private async setup(topic: string, partition: number, handler: MessageHandler): Promise<void> {
    if (this.closed) return;
    const channel = await this.connection.createChannel();
    await channel.assertQueue(this.queue, { durable: false, arguments: { 'x-expires': this.expiresMs } });
    // Bound before `open` resolves: from here on, replies wait in the queue even before they are consumed.
    await channel.bindQueue(this.queue, topic, routingKey(partition));
    await channel.consume(
      this.queue,
      (message) => {
        if (!message) return;
        handler(toIncoming(topic, partition, message)).catch((error: unknown) =>
          this.logger.warn(`reply handling failed: ${String(error)}`),
        );
      },
      { noAck: true },
    );
    this.channel = channel;
  }
}
