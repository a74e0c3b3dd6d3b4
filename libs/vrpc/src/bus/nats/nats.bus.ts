import { Logger } from '@nestjs/common';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
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
import { ReconnectHooks } from '../core/reconnect-hooks.js';
import type { NatsBusOptions } from './nats-bus-options.interface.js';
import { resolveNatsServers } from './nats-servers.js';
import { loadNatsModules, type NatsModules } from './nats-client.js';
import { NatsInbox } from './nats-inbox.js';
import { toNatsHeaders } from './nats-message.js';
import { NATS_DEFAULT_MAX_PAYLOAD, natsPublishError } from './nats-publish-errors.js';
import { publishSubject, streamName, streamSubjects } from './nats-subjects.js';
import { NatsSubscription } from './nats-subscription.js';
import { VrpcBusError } from '../../errors/vrpc-bus.error.js';

interface Connected {
  modules: NatsModules;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

const DAY_MS = 24 * 60 * 60 * 1_000;

/**
 * A bus on NATS JetStream: a topic is a stream, a consumer group a durable pull consumer that
 * its members share, an inbox an ordered consumer on one subject of the reply stream. The
 * NATS client packages are loaded on `connect()`, so apps that do not use this bus need not
 * install them.
 */
export class NatsBus implements VrpcBus {
  readonly system = 'nats';
  /** JetStream counts the deliveries of every message of a durable consumer. */
  readonly capabilities: BusCapabilities = { deliveryCount: true };
  private readonly logger = new Logger(NatsBus.name);
  private readonly reconnected = new ReconnectHooks(this.logger);
  private maxPayload = NATS_DEFAULT_MAX_PAYLOAD;
  private readonly lifecycle = new BusLifecycle<Connected>(
    () => this.open(),
    async ({ nc }) => {
      if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
    },
  );

  /** @param options settings; `clientId` names the connection unless `name` is given. */
  constructor(private readonly options: NatsBusOptions = {}) {}

  /** Largest message published: the server's `max_payload` once connected (NATS' default 1 MiB before). */
  get maxMessageBytes(): number {
    return this.maxPayload;
  }

  /** Connects to NATS and checks that JetStream is enabled; idempotent. */
  async connect(): Promise<void> {
    await this.connected();
  }

  /** Closes subscriptions (draining their handlers) and inboxes, then drains the connection. */
  close(): Promise<void> {
    return this.lifecycle.close();
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    const { js, modules } = await this.connected();
    // Issued in order on one connection, so per-subject order is kept while acks come back in parallel.
    await Promise.all(
      messages.map(async (message) => {
        const subject = publishSubject(message.topic, message.partition);
        const headers = toNatsHeaders(message, () => modules.core.headers());
        try {
          await js.publish(subject, message.value, headers ? { headers } : undefined);
        } catch (error: unknown) {
          throw natsPublishError(message.topic, subject, error);
        }
      }),
    );
  }

  async subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<BusSubscription> {
    const { modules, js, jsm, nc } = await this.connected();
    const subscription = new NatsSubscription(
      {
        modules,
        js,
        jsm,
        streamPrefix: this.streamPrefix,
        ackWaitMs: this.options.ackWaitMs ?? 30_000,
        retryDelayMs: this.options.retryDelayMs ?? 1_000,
        fetchExpiresMs: Math.max(1_000, this.options.fetchExpiresMs ?? 5_000),
        flush: () => (nc.isClosed() ? Promise.resolve() : nc.flush()),
      },
      options,
      handler,
    );
    await subscription.start();
    return this.lifecycle.subscription(subscription);
  }

  async openInbox(instanceId: string, topic: string, handler: MessageHandler, options?: InboxOptions): Promise<BusInbox> {
    requireOwnInbox('nats', options);
    const { modules, js, jsm } = await this.connected();
    const inbox = new NatsInbox(modules, js, jsm, this.streamPrefix, this.reconnected.add);
    await inbox.open(instanceId, topic, handler);
    return this.lifecycle.inbox(inbox);
  }

  /** Creates a stream per missing topic; partitions do not apply (a stream is one ordered log). */
  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    const { jsm, modules } = await this.connected();
    const { RetentionPolicy, StorageType, DiscardPolicy } = modules.jetstream;
    for (const spec of specs) {
      const name = streamName(this.streamPrefix, spec.topic);
      const subjects = streamSubjects(spec.topic);
      const existing = await jsm.streams.info(name).catch(() => undefined);
      if (existing) {
        const missing = subjects.filter((subject) => !existing.config.subjects?.includes(subject));
        if (missing.length > 0) {
          throw new VrpcBusError(
            'nats',
            `stream "${name}" exists but does not capture ${missing.join(', ')} of topic ${spec.topic}; ` +
              'choose another nats.streamPrefix',
          );
        }
        continue;
      }
      try {
        await jsm.streams.add({
          name,
          subjects,
          retention: RetentionPolicy.Limits,
          discard: DiscardPolicy.Old,
          storage: this.options.storage === 'memory' ? StorageType.Memory : StorageType.File,
          max_age: modules.core.nanos(this.options.maxAgeMs ?? 7 * DAY_MS),
          num_replicas: spec.replicationFactor && spec.replicationFactor > 0 ? spec.replicationFactor : 1,
        });
        this.logger.log(`created stream ${name} for topic ${spec.topic}`);
      } catch (error: unknown) {
        // Another instance may have created it meanwhile.
        if (
          await jsm.streams.info(name).then(
            () => true,
            () => false,
          )
        )
          continue;
        throw new VrpcBusError('nats', `cannot create stream "${name}" for topic ${spec.topic}: ${String(error)}`, { cause: error });
      }
    }
  }

  async health(): Promise<BusHealth> {
    const connecting = this.lifecycle.current();
    if (!connecting) return { healthy: false, details: 'not connected' };
    try {
      const { nc, jsm } = await connecting;
      if (nc.isClosed()) return { healthy: false, details: 'connection closed' };
      await jsm.getAccountInfo();
      return { healthy: true, details: `NATS ${nc.info?.version ?? '?'} at ${nc.getServer()}` };
    } catch (error: unknown) {
      return { healthy: false, details: String(error) };
    }
  }

  private get streamPrefix(): string {
    return this.options.streamPrefix ?? 'vrpc_';
  }

  private connected(): Promise<Connected> {
    return this.lifecycle.client();
  }

  private async open(): Promise<Connected> {
    const modules = await loadNatsModules();
    const { user, pass, token } = this.options;
    const nc = await modules.core.connect({
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      ...this.options.connection,
      servers: resolveNatsServers(this.options),
      name: this.options.name ?? this.options.clientId ?? 'vrpc',
      ...(user !== undefined ? { user, pass } : {}),
      ...(token !== undefined ? { token } : {}),
    });
    void this.watch(nc);
    this.maxPayload = nc.info?.max_payload ?? NATS_DEFAULT_MAX_PAYLOAD;
    try {
      const jsm = await modules.jetstream.jetstreamManager(nc);
      return { modules, nc, jsm, js: jsm.jetstream() };
    } catch (error: unknown) {
      await nc.close();
      throw new VrpcBusError('nats', `JetStream is not available on ${nc.getServer()}: ${String(error)}`, { cause: error });
    }
  }

  /** Logs connection changes until the connection closes. */
  private async watch(nc: NatsConnection): Promise<void> {
    try {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') this.logger.warn(`disconnected from ${status.server}`);
        else if (status.type === 'reconnect') {
          this.logger.log(`reconnected to ${status.server}`);
          this.reconnected.run();
        } else if (status.type === 'error') this.logger.error(`connection error: ${String(status.error)}`);
      }
    } catch (error: unknown) {
      this.logger.debug(`status watch ended: ${String(error)}`);
    }
  }
}
