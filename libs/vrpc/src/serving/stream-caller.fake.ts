import { randomUUID } from 'node:crypto';
import type { BusInbox, InboxAddress, VrpcBus } from '../bus/bus.interface.js';
import type { EnvelopeSigner } from '../protocol/envelope-signature.js';
import {
  type CallType,
  decodeResponse,
  encodeRequest,
  type RequestEnvelope,
  type ResponseEnvelope,
  type StreamFrame,
} from '../protocol/envelope.js';
import { type ChannelFailure, type OutgoingFrame, StreamChannel } from '../streaming/stream-channel.js';
import { streamSettings } from '../streaming/stream-settings.js';
import type { VrpcStreamOptions } from '../streaming/stream-options.interface.js';

/** How a `FakeStreamCaller` calls. */
export interface FakeCallOptions {
  service: string;
  method: string;
  callType: CallType;
  requestTopic: string;
  replyTopic: string;
  streams?: VrpcStreamOptions;
  /** Deliver the server's messages only as `read()` asks (a slow reader). */
  pull?: boolean;
  deadlineMs?: number;
  metadata?: Record<string, string>;
  signer?: EnvelopeSigner;
}

/**
 * A caller of one streaming call, made only of a `StreamChannel` and the bus, following
 * docs/streaming.md to the letter: for the specs of the serving side (no `VrpcClient` involved).
 * Not exported from the package.
 */
export class FakeStreamCaller {
  readonly id = randomUUID();
  readonly messages: Buffer[] = [];
  acceptance: ResponseEnvelope | undefined;
  /** The server's end frame, or a reply without a frame (a refusal). */
  ended: ResponseEnvelope | undefined;
  failure: ChannelFailure | undefined;
  readonly channel: StreamChannel<ResponseEnvelope, never>;
  private reply: BusInbox | undefined;
  private inboxAddress: InboxAddress | undefined;
  private readonly waiting: OutgoingFrame<never>[] = [];
  private publishing: Promise<void> = Promise.resolve();

  constructor(
    private readonly bus: VrpcBus,
    private readonly options: FakeCallOptions,
  ) {
    this.channel = new StreamChannel<ResponseEnvelope, never>(
      streamSettings(options.streams),
      {
        send: (out) => {
          if (this.inboxAddress) void this.sendFrame(out.frame, out.payload);
          else this.waiting.push(out);
        },
        message: (reply) => this.messages.push(Buffer.from(reply.payload)),
        end: (reply) => (this.ended = reply),
        cancelled: () => undefined,
        failed: (failure) => (this.failure = failure),
      },
      { pull: options.pull },
    );
  }

  /** Opens the call: the opening on the request topic, with `request` riding on it for a server-streaming call. */
  async open(request?: Buffer, overrides: Partial<RequestEnvelope> = {}): Promise<void> {
    this.reply = await this.bus.openInbox(`caller-${this.id}`, this.options.replyTopic, (message) => {
      const reply = decodeResponse(message.value);
      if (reply.requestId === this.id) this.handle(reply);
      return Promise.resolve();
    });
    const { topic, partition } = this.reply.address;
    const frame: StreamFrame = { open: true, callType: this.options.callType, window: this.channel.granted };
    if (request) Object.assign(frame, { hasMessage: true, end: true, sequence: 0 });
    await this.publish(this.options.requestTopic, {
      ...this.envelope(frame, request),
      metadata: this.options.metadata ?? {},
      timeoutMs: this.options.deadlineMs ?? 10_000,
      deadline: Date.now() + (this.options.deadlineMs ?? 10_000),
      replyTo: topic,
      replyPartition: partition,
      ...overrides,
    });
  }

  /** Publishes a caller frame to the server's inbox as it is (for frames the channel would not send); `signer` null: unsigned. */
  sendFrame(
    frame: StreamFrame,
    payload?: Buffer,
    overrides: Partial<RequestEnvelope> = {},
    signer: EnvelopeSigner | null | undefined = this.options.signer,
  ): Promise<void> {
    const address = this.inboxAddress;
    if (!address) throw new Error('not accepted yet');
    const envelope = { ...this.envelope(frame, payload), ...overrides };
    this.publishing = this.publishing.then(() => this.publish(address.topic, envelope, address.partition, signer));
    return this.publishing;
  }

  write(payload: Buffer): boolean {
    return this.channel.write(payload);
  }

  halfClose(): void {
    this.channel.finish();
  }

  cancel(): void {
    this.channel.sendNow({ cancel: true });
    this.channel.close();
  }

  /** Stops the channel without a word: no more heartbeats (a killed caller). */
  silence(): void {
    this.channel.close();
  }

  get inbox(): InboxAddress | undefined {
    return this.inboxAddress;
  }

  async close(): Promise<void> {
    this.channel.close();
    await this.publishing.catch(() => undefined);
    await this.reply?.close();
  }

  private handle(reply: ResponseEnvelope): void {
    const frame = reply.stream;
    if (!frame) {
      this.ended = reply;
      this.channel.close();
      return;
    }
    if (frame.open) {
      this.acceptance = reply;
      this.inboxAddress = { topic: frame.inboxTopic ?? '', partition: frame.inboxPartition };
      this.channel.start();
      for (const out of this.waiting.splice(0)) void this.sendFrame(out.frame, out.payload);
    }
    this.channel.receive(frame, reply);
  }

  private envelope(frame: StreamFrame, payload?: Buffer): RequestEnvelope {
    return {
      requestId: this.id,
      serviceName: this.options.service,
      methodName: this.options.method,
      payload: payload ?? Buffer.alloc(0),
      metadata: {},
      timestamp: Date.now(),
      timeoutMs: 0,
      clientId: 'fake-caller',
      replyTo: '',
      deadline: 0,
      taskKey: '',
      attempt: 0,
      oneWay: false,
      stream: frame,
    };
  }

  private publish(
    topic: string,
    envelope: RequestEnvelope,
    partition?: number,
    signer: EnvelopeSigner | null | undefined = this.options.signer,
  ): Promise<void> {
    const signed = signer ? signer.signRequest(envelope) : envelope;
    return this.bus.publish([
      { topic, partition, key: partition === undefined ? this.id : undefined, value: encodeRequest(signed), headers: {} },
    ]);
  }
}
