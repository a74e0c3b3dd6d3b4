import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket, connect } from 'node:net';
import type {
  BusCapabilities,
  BusHealth,
  BusInbox,
  BusSubscription,
  IncomingMessage,
  InboxOptions,
  MessageHandler,
  OutgoingMessage,
  SubscribeOptions,
  TopicSpec,
  VrpcBus,
} from '../../bus/bus.interface.js';

export { waitFor } from './wait-for.js';

/** A topic/group/stream/queue name no other test uses (legal for every bus). */
export const uniqueName = (prefix: string): string => `${prefix}.${randomUUID().slice(0, 8)}`;

/** A handler that records what it receives and can be held and released by the test. */
export class Recorder {
  readonly received: IncomingMessage[] = [];
  active = 0;
  maxActive = 0;
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;
  /** When set, the handler rejects instead of resolving (message left unacknowledged). */
  failing = false;

  /** Holds every handler that starts from now on until `release()`. */
  hold(): void {
    this.gate = new Promise<void>((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open();
    this.gate = Promise.resolve();
  }

  readonly handler: MessageHandler = async (message) => {
    this.received.push(message);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      await this.gate;
      if (this.failing) throw new Error('recorder told to fail');
    } finally {
      this.active--;
    }
  };

  /** Values received, as strings. */
  values(): string[] {
    return this.received.map((message) => message.value.toString());
  }
}

/** A loopback TCP proxy whose connections a test can cut, to make a client reconnect. */
export class CuttableProxy {
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  /** Connections made through the proxy and still open. */
  get connections(): number {
    return this.sockets.size / 2;
  }

  /** Drops every connection; the proxy keeps listening, so clients can reconnect. */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Topics and group subscriptions a test run created, for the plugin's cleanup. */
export interface CreatedNames {
  topics: Set<string>;
  /** `group` subscribed to `topic`. */
  subscriptions: Array<{ group: string; topic: string }>;
}

/** Wraps a bus and writes down the topics and groups made through it. */
export class RecordingBus implements VrpcBus {
  constructor(
    private readonly inner: VrpcBus,
    private readonly created: CreatedNames,
  ) {}

  get capabilities(): BusCapabilities {
    return this.inner.capabilities;
  }

  get maxMessageBytes(): number | undefined {
    return this.inner.maxMessageBytes;
  }

  connect(): Promise<void> {
    return this.inner.connect();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  publish(messages: OutgoingMessage[]): Promise<void> {
    return this.inner.publish(messages);
  }

  subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<BusSubscription> {
    for (const topic of options.topics) this.created.subscriptions.push({ group: options.group, topic });
    return this.inner.subscribe(options, handler);
  }

  openInbox(instanceId: string, topic: string, handler: MessageHandler, options?: InboxOptions): Promise<BusInbox> {
    return this.inner.openInbox(instanceId, topic, handler, options);
  }

  ensureTopics(topics: TopicSpec[]): Promise<void> {
    for (const { topic } of topics) this.created.topics.add(topic);
    return this.inner.ensureTopics(topics);
  }

  health(): Promise<BusHealth> {
    return this.inner.health();
  }
}
