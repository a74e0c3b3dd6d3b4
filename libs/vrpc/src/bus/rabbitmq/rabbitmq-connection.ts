import { Logger } from '@nestjs/common';
import type { Channel, ChannelModel, ConfirmChannel, RecoveringChannelModel } from 'amqplib';
import { ReconnectHooks, type OnReconnect } from '../core/reconnect-hooks.js';
import type { AmqpModule } from './rabbitmq-client.js';
import { VrpcBusError } from '../../errors/vrpc-bus.error.js';

/**
 * One AMQP connection that reconnects with backoff when it drops. Channels die with the
 * connection; what owns one registers a `setup` to open it again after each reconnect.
 */
export class RabbitMqConnection {
  private readonly logger = new Logger(RabbitMqConnection.name);
  private readonly setups = new ReconnectHooks(this.logger);
  private connected = false;
  private server = '';

  private constructor(private readonly model: RecoveringChannelModel) {}

  /** Connects (a few quick retries), then keeps reconnecting for as long as it is open. */
  static async open(amqp: AmqpModule, url: string, socket: Record<string, unknown>, maxDelayMs: number): Promise<RabbitMqConnection> {
    const model = await amqp.connect(url, {
      ...socket,
      recovery: { initialDelay: 100, maxDelay: maxDelayMs, initialMaxRetries: 2, waitForConnect: false },
    });
    const connection = new RabbitMqConnection(model);
    connection.watch();
    try {
      await model.waitForConnect();
    } catch (error: unknown) {
      await model.close().catch(() => undefined);
      throw new VrpcBusError('rabbitmq', `cannot connect to ${redact(url)}: ${String(error)}`, { cause: error });
    }
    return connection;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Product and version of the broker last connected to. */
  get serverDescription(): string {
    return this.server;
  }

  createChannel(): Promise<Channel> {
    return this.model.createChannel().then((channel) => this.guarded(channel));
  }

  createConfirmChannel(): Promise<ConfirmChannel> {
    return this.model.createConfirmChannel().then((channel) => this.guarded(channel));
  }

  /** Opens a channel again after every reconnect (not now); returns the function that stops that. */
  readonly onReconnect: OnReconnect = this.setups.add;

  async close(): Promise<void> {
    this.setups.clear();
    this.connected = false;
    await this.model.close();
  }

  /** A broker-side channel error closes the channel and fails its pending calls; it must not crash the process. */
  private guarded<T extends Channel>(channel: T): T {
    channel.on('error', (error: Error) => this.logger.debug(`channel closed by the broker: ${error.message}`));
    return channel;
  }

  private watch(): void {
    let connects = 0;
    this.model.on('connect', (model: ChannelModel) => {
      this.connected = true;
      const { product, version } = model.connection.serverProperties;
      this.server = `${String(product)} ${String(version)}`;
      if (connects++ === 0) return;
      this.logger.log('reconnected; reopening channels');
      this.setups.run();
    });
    this.model.on('disconnect', (error: Error) => {
      this.connected = false;
      this.logger.warn(`connection lost, reconnecting: ${error.message}`);
    });
    this.model.on('reconnect-failed', (error: Error) => this.logger.error(`gave up reconnecting: ${error.message}`));
    this.model.on('error', (error: Error) => this.logger.warn(`connection error: ${error.message}`));
    this.model.on('blocked', (reason: string) => this.logger.warn(`the broker blocked publishing: ${reason}`));
  }
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
