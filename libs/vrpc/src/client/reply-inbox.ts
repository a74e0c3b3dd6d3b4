import { status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import type { BusInbox, IncomingMessage, InboxScope, VrpcBus } from '../bus/bus.interface.js';
import { VrpcCallError } from '../errors/vrpc-call.error.js';
import { MetadataMessages } from '../errors/vrpc.messages.js';
import { decodeResponse, type ResponseEnvelope } from '../protocol/envelope.js';
import type { EnvelopeSigner, SignatureFailure } from '../protocol/envelope-signature.js';
import { hasMetadata, type InvalidMetadata, readMetadata } from '../protocol/metadata.codec.js';
import type { VrpcTopicOptions } from '../protocol/topic-options.interface.js';
import { replyTopic } from '../protocol/topic-names.js';
import { DEFAULT_REPLY_PARTITIONS, VRPC_HEADERS } from '../protocol/vrpc.constants.js';
import { LazyConnection } from '../utils/lazy-connection.js';
import { logText } from '../utils/log-text.js';
import { RatedLog } from '../utils/rated-log.js';
import type { ClientTelemetry } from './client-telemetry.js';
import type { RequestTopics } from './request-topics.js';

/** Where the inbox hands the replies of streaming calls (a `StreamRegistry`). */
export interface StreamTarget {
  /** Whether replies to `id` belong to a stream of this client. */
  has(id: string): boolean;
  serviceOf(id: string): string | undefined;
  /** Hands a checked reply to its stream. */
  receive(reply: ResponseEnvelope): boolean;
  /** A reply to stream `id` that cannot be read: the stream fails. */
  fail(id: string, code: status, details: string): void;
}

/** Where the inbox hands what arrives: the calls waiting for replies. */
export interface ReplyTarget {
  /** Whether call `id` waits for a reply here. */
  has(id: string): boolean;
  /** The service call `id` waits on, whose keys check its reply (default: the `security` keys). */
  serviceOf?(id: string): string | undefined;
  /** A readable reply. */
  settle(reply: ResponseEnvelope, path: 'bus'): void;
  /** A reply to call `id` that cannot be delivered: the call fails at once. */
  fail(id: string, error: unknown): void;
}

function unreadable(reason: string): VrpcCallError {
  return new VrpcCallError(status.INTERNAL, MetadataMessages.unreadableReply(reason));
}

/** Where a client's replies arrive: opened once (again after a failure), with the topics its calls need. */
export class ReplyInbox {
  private readonly logger = new Logger('VrpcClient');
  private readonly rated = new RatedLog((line) => this.logger.warn(line));
  private readonly connection = new LazyConnection<BusInbox>(() => this.open());
  /** Replies no call of this client waited for: other clients' (a whole topic carries them all), or late ones. */
  private readonly strays = new RatedLog((line) => this.logger.debug(line));
  private readonly refused = new Map<SignatureFailure, number>();
  private stopLag: (() => void) | undefined;

  /**
   * @param services the services of the protos: their request topics are created with the inbox
   * @param calls the calls waiting here: each readable reply settles one, an unreadable one fails it
   * @param scope which replies the inbox reads (`client.replyInbox`)
   * @param signer checks every reply (`security`): an unsigned or forged one is ignored, and its call keeps waiting
   * @param streams the client's streams: replies with a frame, or to a stream's id, go there
   */
  constructor(
    private readonly bus: VrpcBus,
    private readonly instanceId: string,
    private readonly options: VrpcTopicOptions,
    private readonly topics: RequestTopics,
    private readonly services: string[],
    private readonly calls: ReplyTarget,
    private readonly scope: InboxScope = 'own-partition',
    private readonly signer?: EnvelopeSigner,
    private readonly streams?: StreamTarget,
    /** Counts the dropped replies and reports the inbox's lag. */
    private readonly telemetry?: ClientTelemetry,
  ) {}

  /** Replies ignored as unsigned or forged so far, by reason. */
  get refusedReplies(): ReadonlyMap<SignatureFailure, number> {
    return this.refused;
  }

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
    this.stopLag?.();
    this.stopLag = undefined;
    this.rated.close();
    this.strays.close();
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
    const inbox = await this.bus.openInbox(this.instanceId, replyTopic(options), (message) => this.receive(message), { scope: this.scope });
    this.stopLag?.();
    this.stopLag = this.telemetry?.observeInboxLag(inbox, this.instanceId);
    return inbox;
  }

  private receive(message: IncomingMessage): Promise<void> {
    let reply: ResponseEnvelope;
    try {
      reply = decodeResponse(message.value);
    } catch (error: unknown) {
      // Its call is named in a header (readable headers) or by the key: that call need not wait for its deadline.
      const id = (message.headers[VRPC_HEADERS.id] as string | undefined) ?? message.key ?? undefined;
      const where = `${logText(message.topic)}[${message.partition}]@${message.offset}`;
      this.rated.note('envelope', `ignored an unreadable reply at ${where} (call ${logText(id)}): ${logText(String(error))}`);
      this.telemetry?.dropped('undecodable');
      if (id) this.calls.fail(id, unreadable(String(error)));
      if (id) this.streams?.fail(id, status.INTERNAL, MetadataMessages.unreadableReply(String(error)));
      return Promise.resolve();
    }
    if (reply.stream !== undefined || !this.calls.has(reply.requestId)) {
      this.receiveStream(reply, message);
      return Promise.resolve();
    }
    if (this.signer && !this.authentic(reply, message, this.calls.serviceOf?.(reply.requestId))) return Promise.resolve();
    const invalid = hasMetadata(reply) ? this.invalidMetadata(reply) : undefined;
    // An error reply keeps its status (minus the key); a reply that claims success cannot be trusted.
    if (invalid && reply.statusCode === (status.OK as number)) {
      this.telemetry?.dropped('metadata');
      this.calls.fail(reply.requestId, new VrpcCallError(status.INTERNAL, MetadataMessages.badReply(logText(invalid.key), invalid.reason)));
    } else {
      this.calls.settle(reply, 'bus');
    }
    return Promise.resolve();
  }

  /** A reply of a stream (checked as a unary reply is), or a stray. */
  private receiveStream(reply: ResponseEnvelope, message: IncomingMessage): void {
    const streams = this.streams;
    if (!streams?.has(reply.requestId)) {
      // Late (its call ended) or another client's on a shared topic: the ids cannot tell which.
      this.telemetry?.dropped('unknown');
      this.strays.note('stray', `dropped a reply for a call not waiting here, at ${logText(message.topic)}[${message.partition}]`);
      return;
    }
    if (this.signer && !this.authentic(reply, message, streams.serviceOf(reply.requestId))) return;
    const invalid = hasMetadata(reply) ? this.invalidMetadata(reply) : undefined;
    // As for unary replies: a frame that claims success with metadata gRPC cannot carry is not trusted.
    if (invalid && reply.statusCode === (status.OK as number)) {
      this.telemetry?.dropped('metadata');
      streams.fail(reply.requestId, status.INTERNAL, MetadataMessages.badReply(logText(invalid.key), invalid.reason));
      return;
    }
    streams.receive(reply);
  }

  /** Whether the reply is signed by a key of its call's service; one that is not is counted and logged (rated), never delivered. */
  private authentic(reply: ResponseEnvelope, message: IncomingMessage, service: string | undefined): boolean {
    const verdict = (this.signer as EnvelopeSigner).verifyReply(reply, service);
    if (verdict.ok) return true;
    this.telemetry?.dropped('forged');
    this.refused.set(verdict.reason, (this.refused.get(verdict.reason) ?? 0) + 1);
    const where = `${logText(message.topic)}[${message.partition}]@${message.offset}`;
    const key = reply.keyId === undefined ? '' : ` (key id ${logText(reply.keyId)})`;
    this.rated.note(
      `reply:${verdict.reason}`,
      `ignored a reply to ${logText(reply.requestId)} at ${where}${key}: ${verdict.reason}; the call waits on`,
    );
    return false;
  }

  /** The first metadata key of the reply that gRPC cannot carry, if any; each is logged (rated). */
  private invalidMetadata(reply: ResponseEnvelope): InvalidMetadata | undefined {
    let first: InvalidMetadata | undefined;
    readMetadata(reply, (invalid) => {
      first ??= invalid;
      this.rated.note(
        'metadata',
        `dropped metadata key "${logText(invalid.key)}" of the reply to ${logText(reply.requestId)}: ${invalid.reason}`,
      );
    });
    return first;
  }
}
