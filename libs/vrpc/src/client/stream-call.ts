import { Metadata, status } from '@grpc/grpc-js';
import type { InboxAddress } from '../bus/bus.interface.js';
import { VrpcMessages, StreamMessages } from '../errors/vrpc.messages.js';
import { asBuffer } from '../protocol/bytes.js';
import type { CallType, ResponseEnvelope, StreamFrame } from '../protocol/envelope.js';
import { StreamChannel } from '../streaming/stream-channel.js';
import type { StreamSettings } from '../streaming/stream-settings.js';
import type { CallObservation } from '../telemetry/call-observation.js';
import { replyMetadata } from './reply-metadata.js';
import type { RequestParts } from './request-message.js';
import type { VrpcStreamHandle, VrpcStreamListener, VrpcStreamStatus } from './stream-handle.interface.js';
import { publishFailure } from './unary-caller.js';

/** How a stream call reaches the bus. */
export interface StreamWire {
  /** Publishes the opening on the service's request topic (retried until the deadline, as a unary request). */
  publishOpening(parts: RequestParts): Promise<void>;
  /** Publishes one later frame to the server's inbox. */
  publishFrame(parts: RequestParts, target: InboxAddress, frame: StreamFrame, payload?: Buffer): Promise<void>;
  /** A frame of a call that has ended could not be sent (a best-effort cancel): logged, rated. */
  lost(id: string, error: unknown): void;
}

/** Where a call goes when it ends. */
export interface StreamCalls {
  /** The call ended; `cancelledEarly`: it was cancelled before its acceptance, which must be answered with a cancel. */
  remove(call: StreamCall, cancelledEarly: boolean): void;
}

/** How one call is made. */
export interface StreamCallSetup {
  parts: RequestParts;
  callType: CallType;
  settings: StreamSettings;
  pull: boolean;
  listener: VrpcStreamListener;
  /** The call's span and metrics, ended with its final status (CANCELLED on `cancel()`). */
  observation?: CallObservation;
}

const EMPTY = Buffer.alloc(0);

/**
 * The caller's side of one streaming call: publishes the opening, waits for the acceptance (or
 * a refusal), then exchanges frames with the server's inbox through a `StreamChannel`, under one
 * deadline for the whole call.
 */
export class StreamCall implements VrpcStreamHandle {
  readonly id: string;
  private readonly parts: RequestParts;
  private readonly listener: VrpcStreamListener;
  private readonly channel: StreamChannel<ResponseEnvelope, undefined>;
  private target: InboxAddress | undefined;
  private timer: NodeJS.Timeout | undefined;
  private done = false;

  constructor(
    private readonly setup: StreamCallSetup,
    private readonly wire: StreamWire,
    private readonly calls: StreamCalls,
  ) {
    this.parts = setup.parts;
    this.id = setup.parts.id;
    this.listener = setup.listener;
    this.channel = new StreamChannel<ResponseEnvelope, undefined>(
      setup.settings,
      {
        send: (out) => this.sendFrame(out.frame, out.payload),
        message: (reply) => this.listener.onMessage(asBuffer(reply.payload)),
        end: (reply) => this.ended(reply),
        cancelled: () => this.finish(status.CANCELLED, StreamMessages.cancelled, true),
        failed: (failure) => this.finish(failure.code, failure.reason, true),
      },
      { pull: setup.pull },
    );
  }

  /** The service called, whose keys check its replies. */
  get service(): string {
    return this.parts.serviceName;
  }

  /** What the call's envelopes are made of. */
  get requestParts(): RequestParts {
    return this.parts;
  }

  /** Whether the server accepted the call. */
  get accepted(): boolean {
    return this.target !== undefined;
  }

  /** Publishes the opening (with the one request of a server-streaming call) and starts the deadline. */
  start(request?: Buffer): void {
    const stream: StreamFrame = { open: true, callType: this.setup.callType, window: this.channel.granted };
    if (request) {
      stream.hasMessage = true;
      stream.end = true;
    }
    this.parts.stream = stream;
    this.parts.payload = request ?? EMPTY;
    const ms = this.parts.deadline - this.parts.now;
    this.timer = setTimeout(() => this.finish(status.DEADLINE_EXCEEDED, VrpcMessages.deadlineExceeded(ms), true), Math.max(0, ms));
    this.wire.publishOpening(this.parts).catch((error: unknown) => {
      const failure = publishFailure(error);
      this.finish(failure.code, failure.details, false);
    });
  }

  /** A reply to this call: the acceptance, a refusal, a message, a heartbeat or the end. */
  receive(reply: ResponseEnvelope): void {
    if (this.done) return;
    const frame = reply.stream;
    if (!frame) {
      // A refusal (or a server that knows nothing of streams): the call ends with its status.
      const ok = reply.statusCode === (status.OK as number);
      const code = ok ? status.INTERNAL : (reply.statusCode as status);
      this.conclude(
        { code, details: ok ? StreamMessages.okWithoutFrame : reply.errorMessage, metadata: replyMetadata(reply, 'bus') },
        false,
      );
      return;
    }
    // The registry has checked the inbox an acceptance names (topics.streams).
    if (frame.open && !this.target && !frame.end && frame.inboxTopic) {
      this.target = { topic: frame.inboxTopic, partition: frame.inboxPartition };
      this.channel.start();
      this.listener.onMetadata?.(replyMetadata(reply, 'bus'));
      if (this.done) return;
    }
    this.channel.receive(frame, reply);
  }

  write(payload: Buffer): boolean {
    if (this.done) return false;
    return this.channel.write(payload);
  }

  whenWritable(): Promise<void> {
    return this.channel.whenWritable();
  }

  end(): void {
    if (!this.done) this.channel.finish();
  }

  read(count = 1): void {
    if (!this.done) this.channel.read(count);
  }

  cancel(): void {
    if (this.close(true)) this.setup.observation?.end(status.CANCELLED);
  }

  /** Ends the call with `code` and tells the listener; `cancel`: tell the server too. */
  finish(code: status, details: string, cancel: boolean): void {
    this.conclude({ code, details, metadata: new Metadata() }, cancel);
  }

  private ended(reply: ResponseEnvelope): void {
    const code = reply.statusCode as status;
    this.conclude({ code, details: code === status.OK ? 'OK' : reply.errorMessage, metadata: replyMetadata(reply, 'bus') }, false);
  }

  private conclude(outcome: VrpcStreamStatus, cancel: boolean): void {
    if (!this.close(cancel)) return;
    this.setup.observation?.end(outcome.code, outcome.details);
    this.listener.onStatus(outcome);
  }

  /** Stops the call once; returns whether this call stopped it. */
  private close(cancel: boolean): boolean {
    if (this.done) return false;
    this.done = true;
    clearTimeout(this.timer);
    this.channel.close();
    if (cancel && this.target) this.sendFrame({ cancel: true, window: this.channel.granted });
    this.calls.remove(this, cancel && !this.target);
    return true;
  }

  private sendFrame(frame: StreamFrame, payload?: Buffer): void {
    const target = this.target;
    // Nothing goes out before the acceptance names the server's inbox: the channel holds the messages.
    if (!target) return;
    this.wire.publishFrame(this.parts, target, frame, payload).catch((error: unknown) => {
      if (this.done) {
        this.wire.lost(this.id, error);
        return;
      }
      const failure = publishFailure(error);
      this.finish(failure.code === status.RESOURCE_EXHAUSTED ? failure.code : status.UNAVAILABLE, failure.details, true);
    });
  }
}
