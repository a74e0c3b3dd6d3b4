import type { ConfirmChannel, Message } from 'amqplib';
import type { OutgoingMessage } from '../bus.interface.js';
import type { RabbitMqConnection } from './rabbitmq-connection.js';
import { KEY_HEADER, routingKey } from './rabbitmq-message.js';
import { rabbitMqPublishError, unroutable } from './rabbitmq-publish-errors.js';

const CONFIRM_TIMEOUT_MS = 15_000;

/**
 * Publishes on a confirm channel and resolves when the broker has confirmed each message.
 * Messages for a topic (no partition) are `mandatory`: when no group's queue is bound to the
 * topic, the broker returns them and the publish fails instead of dropping them silently.
 */
export class RabbitMqPublisher {
  private channel: Promise<ConfirmChannel> | undefined;
  private readonly returned = new Set<string>();
  private readonly closeReasons = new WeakMap<ConfirmChannel, Error>();
  private sequence = 0;

  constructor(private readonly connection: RabbitMqConnection) {}

  async publish(messages: OutgoingMessage[]): Promise<void> {
    const channel = await this.open();
    await Promise.all(messages.map((message) => this.publishOne(channel, message)));
  }

  async close(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    await channel?.then((open) => open.close()).catch(() => undefined);
  }

  private publishOne(channel: ConfirmChannel, message: OutgoingMessage): Promise<void> {
    const id = `p${this.sequence++}`;
    const mandatory = message.partition === undefined;
    const headers: Record<string, string> = { ...message.headers };
    if (message.key !== undefined) headers[KEY_HEADER] = message.key;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(rabbitMqPublishError(message.topic, new Error(`no confirm within ${CONFIRM_TIMEOUT_MS} ms`))),
        CONFIRM_TIMEOUT_MS,
      );
      const confirmed = (error: unknown) => {
        clearTimeout(timer);
        const wasReturned = this.returned.delete(id);
        // The broker's reason for closing the channel may be emitted just after the failed confirm.
        if (error) setImmediate(() => reject(rabbitMqPublishError(message.topic, this.closeReasons.get(channel) ?? error)));
        else if (wasReturned) reject(unroutable(message.topic));
        else resolve();
      };
      try {
        channel.publish(
          message.topic,
          routingKey(message.partition),
          message.value,
          { headers, messageId: id, persistent: true, mandatory },
          confirmed,
        );
      } catch (error: unknown) {
        confirmed(error);
      }
    });
  }

  private open(): Promise<ConfirmChannel> {
    if (!this.channel) {
      const opening = this.connection.createConfirmChannel().then((channel) => {
        channel.on('return', (message: Message) => {
          const id = message.properties.messageId as unknown;
          if (typeof id === 'string') this.returned.add(id);
        });
        channel.on('error', (error: Error) => this.closeReasons.set(channel, error));
        // A closed channel (connection lost, or the broker closed it over an error) is opened anew on next use.
        channel.on('close', () => {
          if (this.channel === opening) this.channel = undefined;
        });
        return channel;
      });
      this.channel = opening;
      opening.catch(() => {
        if (this.channel === opening) this.channel = undefined;
      });
    }
    return this.channel;
  }
}
