import { Metadata, status } from '@grpc/grpc-js';
import type { BusInbox, BusSubscription, IncomingMessage, VrpcBus } from '../../bus/bus.interface.js';
import { decodeRequest, encodeResponse, type RequestEnvelope, type ResponseEnvelope, type StreamFrame } from '../../protocol/envelope.js';
import type { EnvelopeSigner } from '../../protocol/envelope-signature.js';
import { writeMetadata } from '../../protocol/metadata.codec.js';
import { CallType } from '../../protocol/stream-frame.js';
import { requestTopic } from '../../protocol/topic-names.js';
import { type OutgoingFrame, StreamChannel } from '../../streaming/stream-channel.js';
import { streamSettings } from '../../streaming/stream-settings.js';
import type { VrpcStreamOptions } from '../../streaming/stream-options.interface.js';

/** Test support (not exported by the library): the proto of the stream specs. */
export const NUMBERS_PROTO = new URL('./numbers.proto', import.meta.url).pathname;
export const NUMBERS_SERVICE = 'streamtest.Numbers';
export const SERVER_INBOX = 'fake.streams';

/** The status a fake call ends with. */
export interface FakeEnd {
  code: status;
  message?: string;
  metadata?: Metadata;
}

/** One call on the fake server: what the caller sent, and the server's channel to answer it. */
export interface FakeCall {
  opening: RequestEnvelope;
  channel: StreamChannel<RequestEnvelope, FakeEnd>;
  /** The caller's messages, in order. */
  received: Buffer[];
  halfClosed: boolean;
  cancelled: boolean;
  failed?: string;
  onMessage?: (payload: Buffer) => void;
  onHalfClose?: () => void;
  /** Publishes the acceptance (done at once unless `manualAccept`). */
  accept(): void;
}

export interface FakeServerOptions {
  /** What the server does with each new call (after accepting it). */
  handler?: (call: FakeCall) => void;
  /** Refuse every opening with a plain reply without a frame (an old server). */
  refuse?: FakeEnd;
  /** Do not accept at once: the test calls `accept()`. */
  manualAccept?: boolean;
  /** The server's channel delivers the caller's messages only as the test `read()`s them. */
  pull?: boolean;
  streams?: VrpcStreamOptions;
  /** Signs every reply, and keeps only caller frames that pass `verifyRequest` (`security`). */
  signer?: EnvelopeSigner;
}

/**
 * A stream server made of a `StreamChannel` and the bus, exactly as docs/streaming.md says:
 * it takes openings on the service's request topic, answers with an acceptance naming its
 * inbox, and exchanges frames with the caller.
 */
export class FakeStreamServer {
  readonly calls: FakeCall[] = [];
  /** Every caller frame that reached the inbox (cancel frames included). */
  readonly frames: RequestEnvelope[] = [];
  /** Caller frames that failed the signature check (with `signer`). */
  readonly forged: RequestEnvelope[] = [];
  /** Replies that could not be published. */
  readonly errors: unknown[] = [];
  private subscription: BusSubscription | undefined;
  private inbox: BusInbox | undefined;

  constructor(
    private readonly bus: VrpcBus,
    private readonly options: FakeServerOptions = {},
  ) {}

  async start(): Promise<void> {
    await this.bus.connect();
    const topic = requestTopic(NUMBERS_SERVICE);
    await this.bus.ensureTopics([
      { topic, partitions: 1 },
      { topic: SERVER_INBOX, partitions: 1 },
    ]);
    this.inbox = await this.bus.openInbox('fake-server', SERVER_INBOX, (message) => this.frame(message));
    this.subscription = await this.bus.subscribe({ topics: [topic], group: 'fake-server', concurrency: 8 }, (message) =>
      this.open(message),
    );
  }

  async close(): Promise<void> {
    for (const call of this.calls) call.channel.close();
    await this.subscription?.close();
    await this.inbox?.close();
  }

  /** The call with this id. */
  call(id: string): FakeCall | undefined {
    return this.calls.find((call) => call.opening.requestId === id);
  }

  private open(message: IncomingMessage): Promise<void> {
    const opening = decodeRequest(message.value);
    if (this.options.refuse) {
      this.reply(opening, { frame: {} }, this.options.refuse, false);
      return Promise.resolve();
    }
    const frame = opening.stream ?? {};
    const serverStreaming = frame.callType === CallType.SERVER_STREAMING;
    const call: FakeCall = {
      opening,
      received: serverStreaming ? [Buffer.from(opening.payload)] : [],
      halfClosed: serverStreaming,
      cancelled: false,
      accept: () => {
        const address = this.inbox?.address;
        call.channel.sendNow({ open: true, inboxTopic: address?.topic, inboxPartition: address?.partition });
        call.channel.start();
        this.options.handler?.(call);
      },
      channel: new StreamChannel<RequestEnvelope, FakeEnd>(
        streamSettings({ heartbeatMs: 60_000, livenessMs: 120_000, ...this.options.streams }),
        {
          send: (out) => this.reply(opening, out, out.end, true),
          message: (envelope) => {
            const payload = Buffer.from(envelope.payload);
            call.received.push(payload);
            call.onMessage?.(payload);
          },
          end: () => {
            call.halfClosed = true;
            call.onHalfClose?.();
          },
          cancelled: () => {
            call.cancelled = true;
          },
          failed: (failure) => {
            call.failed = failure.reason;
          },
        },
        { peerWindow: frame.window ?? 0, received: serverStreaming ? 1 : 0, pull: this.options.pull },
      ),
    };
    this.calls.push(call);
    if (!this.options.manualAccept) call.accept();
    return Promise.resolve();
  }

  private frame(message: IncomingMessage): Promise<void> {
    const envelope = decodeRequest(message.value);
    if (this.options.signer && !this.options.signer.verifyRequest(envelope).ok) {
      this.forged.push(envelope);
      return Promise.resolve();
    }
    this.frames.push(envelope);
    this.call(envelope.requestId)?.channel.receive(envelope.stream ?? {}, envelope);
    return Promise.resolve();
  }

  /** Publishes a reply envelope with `out`'s frame (none when `withFrame` is false) to the caller. */
  private reply(opening: RequestEnvelope, out: OutgoingFrame<FakeEnd>, end: FakeEnd | undefined, withFrame: boolean): void {
    const wire = writeMetadata(end?.metadata ?? new Metadata());
    const frame: StreamFrame = out.frame;
    const unsigned: ResponseEnvelope = {
      requestId: opening.requestId,
      payload: out.payload ?? Buffer.alloc(0),
      statusCode: end?.code ?? status.OK,
      errorMessage: end?.message ?? '',
      metadata: wire.metadata,
      timestamp: Date.now(),
      ...(wire.metadataEntries ? { metadataEntries: wire.metadataEntries } : {}),
      ...(withFrame ? { stream: frame } : {}),
    };
    const envelope = this.options.signer ? this.options.signer.signReply(opening.serviceName, unsigned) : unsigned;
    this.bus
      .publish([{ topic: opening.replyTo, partition: opening.replyPartition, key: opening.requestId, value: encodeResponse(envelope) }])
      .catch((error: unknown) => void this.errors.push(error));
  }
}
