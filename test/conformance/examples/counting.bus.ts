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
} from '@vrpc/nestjs';

/** What went through a `CountingBus`. */
export interface BusCounts {
  published: number;
  handled: number;
  failed: number;
}

/**
 * The example of docs/plugins/writing-a-plugin.md: a plugin that wraps any other bus and
 * counts messages. It keeps every guarantee of the bus it wraps, so it passes the conformance
 * suite with it (see memory.bus.spec.ts).
 */
export class CountingBus implements VrpcBus {
  readonly counts: BusCounts = { published: 0, handled: 0, failed: 0 };

  constructor(private readonly inner: VrpcBus) {}

  /** Counting changes nothing the wrapped bus can do. */
  get capabilities(): BusCapabilities {
    return this.inner.capabilities;
  }

  connect(): Promise<void> {
    return this.inner.connect();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    await this.inner.publish(messages);
    this.counts.published += messages.length;
  }

  subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<BusSubscription> {
    return this.inner.subscribe(options, this.counted(handler));
  }

  openInbox(instanceId: string, topic: string, handler: MessageHandler, options?: InboxOptions): Promise<BusInbox> {
    return this.inner.openInbox(instanceId, topic, this.counted(handler), options);
  }

  ensureTopics(topics: TopicSpec[]): Promise<void> {
    return this.inner.ensureTopics(topics);
  }

  health(): Promise<BusHealth> {
    return this.inner.health();
  }

  /** Counts outcomes, and passes a rejection on: it is what leaves the message unacknowledged. */
  private counted(handler: MessageHandler): MessageHandler {
    return async (message) => {
      try {
        await handler(message);
        this.counts.handled++;
      } catch (error: unknown) {
        this.counts.failed++;
        throw error;
      }
    };
  }
}
