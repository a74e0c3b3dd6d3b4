import { Logger } from '@nestjs/common';
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
import { requireOwnInbox } from '../core/inbox-scope.js';
import type { RabbitMqBusOptions } from './rabbitmq-bus-options.interface.js';
import { resolveRabbitMqUrl } from './rabbitmq-url.js';
import { loadAmqp } from './rabbitmq-client.js';
import { RabbitMqConnection } from './rabbitmq-connection.js';
import { RabbitMqInbox } from './rabbitmq-inbox.js';
import { RABBITMQ_DEFAULT_MAX_MESSAGE_BYTES } from './rabbitmq-publish-errors.js';
import { RabbitMqPublisher } from './rabbitmq-publisher.js';
import { RabbitMqSubscription } from './rabbitmq-subscription.js';
import { VrpcBusError } from '../../errors/vrpc-bus.error.js';

interface Connected {
  connection: RabbitMqConnection;
  publisher: RabbitMqPublisher;
}

/**
 * A bus on RabbitMQ (AMQP 0-9-1, amqplib): a topic is a durable direct exchange, a consumer
 * group a durable queue per topic bound to it, an inbox a queue of its own bound with its
 * partition as routing key. amqplib is loaded on `connect()`, so apps that do not use this bus
 * need not install it.
 */
export class RabbitMqBus implements VrpcBus {
  readonly system = 'rabbitmq';
  private readonly logger = new Logger(RabbitMqBus.name);
  private readonly lifecycle = new BusLifecycle<Connected>(
    () => this.open(),
    async ({ connection, publisher }) => {
      await publisher.close();
      await connection.close().catch((error: unknown) => this.logger.warn(`closing the connection failed: ${String(error)}`));
    },
  );

  /** Quorum queues count deliveries (`x-delivery-count`); classic queues only flag a redelivery. */
  readonly capabilities: BusCapabilities;
  /** Largest message published (`maxMessageBytes`, default RabbitMQ's 16 MiB). */
  readonly maxMessageBytes: number;

  constructor(private readonly options: RabbitMqBusOptions = {}) {
    this.capabilities = { deliveryCount: (options.queueType ?? 'quorum') === 'quorum' };
    this.maxMessageBytes = options.maxMessageBytes ?? RABBITMQ_DEFAULT_MAX_MESSAGE_BYTES;
  }

  /** Connects (and from then on reconnects when the connection drops); idempotent. */
  async connect(): Promise<void> {
    await this.connected();
  }

  /** Closes subscriptions (draining their handlers) and inboxes, then the connection. */
  close(): Promise<void> {
    return this.lifecycle.close();
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    const { publisher } = await this.connected();
    await publisher.publish(messages);
  }

  async subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<BusSubscription> {
    const { connection } = await this.connected();
    const subscription = new RabbitMqSubscription(connection, options, handler, {
      queueType: this.options.queueType ?? 'quorum',
      retryDelayMs: this.options.retryDelayMs ?? 1_000,
    });
    await subscription.start();
    return this.lifecycle.subscription(subscription);
  }

  async openInbox(instanceId: string, topic: string, handler: MessageHandler, options?: InboxOptions): Promise<BusInbox> {
    requireOwnInbox('rabbitmq', options);
    const { connection } = await this.connected();
    const inbox = new RabbitMqInbox(connection, this.options.inboxExpiresMs ?? 5 * 60_000);
    await inbox.open(instanceId, topic, handler);
    return this.lifecycle.inbox(inbox);
  }

  /** Declares a durable direct exchange per topic; partitions and replication do not apply. */
  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    const { connection } = await this.connected();
    const channel = await connection.createChannel();
    try {
      for (const spec of specs) {
        await channel.assertExchange(spec.topic, 'direct', { durable: true }).catch((error: unknown) => {
          throw new VrpcBusError(
            'rabbitmq',
            `cannot declare exchange "${spec.topic}" (does it exist with another type than direct?): ${String(error)}`,
            {
              cause: error,
            },
          );
        });
      }
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async health(): Promise<BusHealth> {
    const connecting = this.lifecycle.current();
    if (!connecting) return { healthy: false, details: 'not connected' };
    try {
      const { connection } = await connecting;
      if (!connection.isConnected) return { healthy: false, details: 'reconnecting' };
      // A channel round trip proves the broker answers, not just that a socket is open.
      const channel = await connection.createChannel();
      await channel.checkExchange('amq.direct');
      await channel.close();
      return { healthy: true, details: connection.serverDescription };
    } catch (error: unknown) {
      return { healthy: false, details: String(error) };
    }
  }

  private connected(): Promise<Connected> {
    return this.lifecycle.client();
  }

  private async open(): Promise<Connected> {
    const amqp = await loadAmqp();
    const connection = await RabbitMqConnection.open(
      amqp,
      resolveRabbitMqUrl(this.options),
      this.options.socket ?? {},
      this.options.reconnectMaxDelayMs ?? 5_000,
    );
    return { connection, publisher: new RabbitMqPublisher(connection) };
  }
}
