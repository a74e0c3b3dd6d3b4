import { Logger } from '@nestjs/common';
import type { BusInbox, IncomingMessage, InboxScope, VrpcBus } from '../bus/bus.interface.js';
import { decodeResponse } from '../protocol/envelope.js';
import type { VrpcTopicOptions } from '../protocol/topic-options.interface.js';
import { replyTopic } from '../protocol/topic-names.js';
import { DEFAULT_REPLY_PARTITIONS } from '../protocol/vrpc.constants.js';
import { LazyConnection } from '../utils/lazy-connection.js';
import { RatedLog } from '../utils/rated-log.js';
import type { CallRegistry } from './call-registry.js';
import type { RequestTopics } from './request-topics.js';

/** Where a client's replies arrive: opened once (again after a failure), with the topics its calls need. */
export class ReplyInbox {
  private readonly logger = new Logger('VrpcClient');
  private readonly connection = new LazyConnection<BusInbox>(() => this.open());
  /** Replies no call of this client waited for: other clients' (a whole topic carries them all), or late ones. */
  private readonly strays = new RatedLog((line) => this.logger.debug(line));

  /**
   * @param services the services of the protos: their request topics are created with the inbox
   * @param calls settle the calls that readable replies are for
   * @param scope which replies the inbox reads (`client.replyInbox`)
   */
  constructor(
    private readonly bus: VrpcBus,
    private readonly instanceId: string,
    private readonly options: VrpcTopicOptions,
    private readonly topics: RequestTopics,
    private readonly services: string[],
    private readonly calls: Pick<CallRegistry, 'has' | 'settle'>,
    private readonly scope: InboxScope = 'own-partition',
  ) {}

  /** The inbox if it is open (synchronously, for the publishing fast path). */
  current(): BusInbox | undefined {
    return this.connection.opened();
  }

  /** The inbox, opening it if needed; resolves once replies to this instance cannot be missed. */
  get(): Promise<BusInbox> {
    return this.connection.get();
  }

  /** Closes the inbox if one was opened (or is opening); the next `get()` opens a new one. */
  async close(): Promise<void> {
    await this.connection.take()?.then(
      (inbox) => inbox.close(),
      () => undefined,
    );
  }

  private async open(): Promise<BusInbox> {
    const options = this.options;
    await this.bus.connect();
    await this.bus.ensureTopics([
      {
        topic: replyTopic(options),
        partitions: options.replyPartitions ?? DEFAULT_REPLY_PARTITIONS,
        replicationFactor: options.replicationFactor,
      },
      ...this.services.map((service) => this.topics.spec(service)),
    ]);
    this.topics.markReady(this.services);
    return this.bus.openInbox(this.instanceId, replyTopic(options), (message) => this.receive(message), { scope: this.scope });
  }

  private receive(message: IncomingMessage): Promise<void> {
    let reply;
    try {
      reply = decodeResponse(message.value);
    } catch (error: unknown) {
      this.logger.warn(`ignored an unreadable reply at ${message.topic}[${message.partition}]@${message.offset}: ${String(error)}`);
      return Promise.resolve();
    }
    if (this.calls.has(reply.requestId)) this.calls.settle(reply, 'bus');
    else this.strays.note('stray', `dropped a reply for a call not waiting here, at ${message.topic}[${message.partition}]`);
    return Promise.resolve();
  }
}
