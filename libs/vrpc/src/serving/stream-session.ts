import { status } from '@grpc/grpc-js';
import type { InboxAddress, IncomingMessage, OutgoingMessage, VrpcBus } from '../bus/bus.interface.js';
import { StreamMessages, VrpcMessages } from '../errors/vrpc.messages.js';
import { messageBytes } from '../bus/core/message-size.js';
import { asBuffer } from '../protocol/bytes.js';
import { CallType, type RequestEnvelope, type ResponseEnvelope, type StreamFrame } from '../protocol/envelope.js';
import { type ChannelFailure, type OutgoingFrame, StreamChannel } from '../streaming/stream-channel.js';
import type { StreamSettings } from '../streaming/stream-settings.js';
import { FramePublisher } from './frame-publisher.js';
import { replyMessage } from './reply-sender.js';
import type { CallerIdentity } from './request-executor.interface.js';
import type { StreamCallIO, StreamEnd, StreamRequestSink } from './stream-executor.interface.js';
import type { CallObservation } from '../telemetry/call-observation.js';
import type { VrpcHeaderSet } from '../protocol/wire-headers.js';

const EMPTY = Buffer.alloc(0);

/** What a session needs of its server. */
export interface StreamSessionDeps {
  bus: VrpcBus;
  settings: StreamSettings;
  /** The server instance's stream inbox, named in the acceptance. */
  inbox: InboxAddress;
  /** Signs each frame as a reply is signed (`security`). */
  sign?: (envelope: RequestEnvelope, reply: ResponseEnvelope) => ResponseEnvelope;
  /** The headers beside each frame's envelope (default `minimal`). */
  headers?: VrpcHeaderSet;
  /** The session stopped, for whatever reason: it is no longer live. */
  done: (session: StreamSession) => void;
  /** A frame could not be published (the session failed). */
  publishFailed: (session: StreamSession, error: unknown) => void;
  /** The stream's SERVER span and metrics, ended with its status when it stops. */
  observation?: CallObservation;
}

/**
 * One accepted streaming call on the server: a `StreamChannel` whose frames become reply
 * envelopes to the opening's reply address (docs/streaming.md), the deadline, and the signal
 * that stops the executor on cancel, deadline, silence, a publish failure or the server closing.
 */
export class StreamSession implements StreamCallIO {
  readonly callType: CallType;
  private readonly controller = new AbortController();
  private readonly channel: StreamChannel<RequestEnvelope, StreamEnd>;
  private sink: StreamRequestSink | undefined;
  /** Frames go out in the order the channel hands them out, batched while the broker acknowledges. */
  private readonly publisher: FramePublisher;
  private messagesSent = 0;
  private stopped = false;
  private deadlineTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly opening: RequestEnvelope,
    readonly message: IncomingMessage,
    readonly caller: CallerIdentity,
    private readonly deps: StreamSessionDeps,
  ) {
    this.callType = opening.stream?.callType ?? CallType.BIDI_STREAMING;
    this.publisher = new FramePublisher(deps.bus, (error) => {
      this.deps.publishFailed(this, error);
      this.stop(StreamMessages.publishFailed(String(error)), status.UNAVAILABLE);
    });
    const serverStreaming = this.callType === CallType.SERVER_STREAMING;
    this.channel = new StreamChannel<RequestEnvelope, StreamEnd>(
      deps.settings,
      {
        send: (out) => this.send(out),
        message: (envelope) => this.sink?.message(asBuffer(envelope.payload)),
        end: () => this.sink?.end(),
        cancelled: () => this.stop(StreamMessages.cancelled, status.CANCELLED),
        failed: (failure) => this.fail(failure),
      },
      // A server-streaming call's one request rode on the opening.
      { peerWindow: opening.stream?.window ?? 0, received: serverStreaming ? 1 : 0, pull: true },
    );
  }

  get id(): string {
    return this.opening.requestId;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Publishes the acceptance and starts the heartbeats, the liveness watch and the deadline; rejects when it cannot be published. */
  async accept(): Promise<void> {
    const { topic, partition } = this.deps.inbox;
    const frame: StreamFrame = {
      open: true,
      inboxTopic: topic,
      window: this.callType === CallType.SERVER_STREAMING ? 0 : this.channel.granted,
    };
    if (partition !== undefined) frame.inboxPartition = partition;
    const message = this.frameMessage(this.reply(frame, EMPTY));
    // First in line: no frame of this call (an end, should the server close now) can overtake it.
    this.publisher.push(message);
    await this.publisher.idle();
    if (this.publisher.failed) throw new Error('the acceptance was not published');
    if (this.stopped) return;
    this.channel.start();
    const { deadline } = this.opening;
    if (deadline > 0) {
      this.deadlineTimer = setTimeout(
        () => this.fail({ code: status.DEADLINE_EXCEEDED, reason: StreamMessages.deadline }),
        Math.max(0, deadline - Date.now()),
      );
      this.deadlineTimer.unref();
    }
  }

  /** A frame of the caller, from the inbox (already checked for id, service, method and signature). */
  deliver(frame: StreamFrame, envelope: RequestEnvelope): void {
    // The handler sees the caller's messages inside the stream's span, as it saw the opening.
    const { observation } = this.deps;
    if (observation) observation.run(() => this.channel.receive(frame, envelope));
    else this.channel.receive(frame, envelope);
  }

  onRequests(sink: StreamRequestSink): void {
    this.sink = sink;
  }

  read(count = 1): void {
    this.channel.read(count);
  }

  write(payload: Buffer): boolean {
    return this.channel.write(payload);
  }

  whenWritable(): Promise<void> {
    return this.channel.whenWritable();
  }

  end(end: StreamEnd): void {
    if (this.stopped) return;
    if (end.payload) this.channel.write(end.payload);
    this.channel.finish(end);
  }

  /** Ends the call UNAVAILABLE (the server is closing); resolves once its frames are published. */
  shutdown(): Promise<void> {
    this.fail({ code: status.UNAVAILABLE, reason: StreamMessages.serverClosing });
    return this.publisher.idle();
  }

  /** Ends the call from outside the executor with a status, after the messages already sent. */
  fail(failure: ChannelFailure): void {
    if (this.stopped) return;
    this.enqueue({ frame: { end: true, sequence: this.messagesSent }, end: { code: failure.code, message: failure.reason } });
    this.stop(failure.reason, failure.code);
  }

  private send(out: OutgoingFrame<StreamEnd>): void {
    if (out.frame.hasMessage) this.messagesSent++;
    this.enqueue(out);
    if (out.frame.end) this.stop(undefined, out.end?.code ?? status.OK);
  }

  private enqueue(out: OutgoingFrame<StreamEnd>): void {
    const reply = this.reply(out.frame, out.payload ?? EMPTY, out.end);
    let message = this.frameMessage(reply);
    const limit = this.deps.bus.maxMessageBytes;
    const bytes = limit === undefined ? 0 : messageBytes(message);
    if (limit !== undefined && bytes > limit) {
      // As for a unary reply: the caller learns why instead of waiting for a frame that cannot go out.
      const end = { code: status.RESOURCE_EXHAUSTED, message: VrpcMessages.replyTooLarge(bytes, limit) };
      message = this.frameMessage(this.reply({ end: true, sequence: this.messagesSent - (out.frame.hasMessage ? 1 : 0) }, EMPTY, end));
      this.stop(end.message, end.code);
    }
    this.publisher.push(message);
  }

  /** Stops everything and aborts the executor's work (after its own end too: what it still runs is torn down). */
  private stop(reason: string | undefined, code: number): void {
    if (this.stopped) return;
    this.stopped = true;
    this.deps.observation?.end(code, reason);
    clearTimeout(this.deadlineTimer);
    this.channel.close();
    this.controller.abort(new Error(reason ?? 'the stream ended'));
    this.deps.done(this);
  }

  private reply(frame: StreamFrame, payload: Buffer, end?: StreamEnd): ResponseEnvelope {
    const reply: ResponseEnvelope = {
      requestId: this.opening.requestId,
      payload,
      statusCode: end?.code ?? status.OK,
      errorMessage: end?.message ?? '',
      metadata: end?.metadata ?? {},
      timestamp: Date.now(),
      stream: frame,
    };
    if (end?.metadataEntries) reply.metadataEntries = end.metadataEntries;
    return reply;
  }

  /** The bus message of one frame to the caller: signed when signing is on. */
  private frameMessage(reply: ResponseEnvelope): OutgoingMessage {
    return replyMessage(this.opening, this.signed(reply), this.deps.headers);
  }

  private signed(reply: ResponseEnvelope): ResponseEnvelope {
    return this.deps.sign ? this.deps.sign(this.opening, reply) : reply;
  }
}
