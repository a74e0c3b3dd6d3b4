import { type InterceptorOptions, Metadata, type NextCall, status, type StatusObject } from '@grpc/grpc-js';
import type { VrpcStreamHandle, VrpcStreamStatus } from '../client/stream-handle.interface.js';
import type { VrpcClient } from '../client/vrpc-client.js';
import { InterceptorMessages } from '../errors/vrpc.messages.js';
import type { GrpcPath } from '../grpc/grpc-path.js';
import { type CapturedContext, runInContext } from '../telemetry/captured-context.js';
import { CallType } from '../protocol/stream-frame.js';

// grpc-js exports these only as parts of other types.
type InterceptingCallInterface = ReturnType<NextCall>;
type CallListener = NonNullable<Parameters<InterceptingCallInterface['start']>[1]>;
type MessageContext = Parameters<InterceptingCallInterface['sendMessageWithContext']>[0];

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The call type of a grpc-js method definition (a streaming one). */
function callTypeOf({ requestStream, responseStream }: InterceptorOptions['method_definition']): CallType {
  if (requestStream) return responseStream ? CallType.BIDI_STREAMING : CallType.CLIENT_STREAMING;
  return CallType.SERVER_STREAMING;
}

/**
 * The bottom of the interceptor chain for a streaming call routed over vRPC (server streaming,
 * client streaming, bidi). It stands where grpc-js' own call would: requests are serialised
 * with the method's serialiser and written to a raw vRPC stream, whose window is grpc-js' write
 * backpressure (a write's callback runs at once when the message went out, else once what waits
 * has gone out and the window has room for one more); each `startRead` pulls
 * one message, so a slow reader paces the server. The listener is only ever called on a later
 * tick, in grpc-js' order: metadata, messages, status.
 */
export class VrpcStreamingCall implements InterceptingCallInterface {
  private listener: Partial<CallListener> = {};
  private metadata = new Metadata();
  private handle: VrpcStreamHandle | undefined;
  private readonly callType: CallType;
  private request: Buffer | undefined;
  private reads = 0;
  private metadataSent = false;
  private done = false;

  constructor(
    private readonly client: VrpcClient,
    private readonly target: GrpcPath,
    private readonly options: InterceptorOptions,
    /** The context where the grpc-js call was made (`captureContext()`). */
    private readonly context?: CapturedContext,
  ) {
    this.callType = callTypeOf(options.method_definition);
  }

  start(metadata: Metadata, listener?: Partial<CallListener>): void {
    this.metadata = metadata;
    this.listener = listener ?? {};
    // A call with a request stream opens at once; a server-streaming one once its request is complete.
    if (this.callType !== CallType.SERVER_STREAMING) this.open();
  }

  sendMessageWithContext(context: MessageContext, message: unknown): void {
    if (this.done) return;
    let payload: Buffer;
    try {
      payload = this.options.method_definition.requestSerialize(message);
    } catch (error: unknown) {
      this.fail(InterceptorMessages.serializeFailed(reasonOf(error)));
      return;
    }
    const handle = this.handle;
    if (!handle) {
      this.request = payload;
      context.callback?.();
      return;
    }
    if (handle.write(payload)) {
      context.callback?.();
      return;
    }
    handle.whenWritable().then(
      () => context.callback?.(),
      (error: unknown) => this.fail(reasonOf(error)),
    );
  }

  sendMessage(message: unknown): void {
    this.sendMessageWithContext({}, message);
  }

  halfClose(): void {
    if (this.done) return;
    if (this.callType !== CallType.SERVER_STREAMING) {
      this.handle?.end();
      return;
    }
    if (this.handle) return;
    if (!this.request) {
      this.finish({ code: status.INTERNAL, details: InterceptorMessages.noStreamRequest, metadata: new Metadata() });
      return;
    }
    this.open(this.request);
  }

  /** Pulls one more message: the server is granted window only as grpc-js reads. */
  startRead(): void {
    if (this.done) return;
    if (this.handle) this.handle.read(1);
    else this.reads++;
  }

  /** Cancelling sends a cancel frame to the server (or answers its acceptance with one). */
  cancelWithStatus(code: status, details: string): void {
    if (this.done) return;
    this.handle?.cancel();
    this.finish({ code, details, metadata: new Metadata() });
  }

  getPeer(): string {
    return `vrpc:${this.target.service}`;
  }

  getAuthContext(): null {
    return null;
  }

  private open(request?: Buffer): void {
    // A unary response is read without startRead (grpc-js' own bottom call does the same).
    if (this.callType === CallType.CLIENT_STREAMING) this.reads++;
    const handle = runInContext(this.context, () => this.openHandle(request));
    this.handle = handle;
    if (this.reads > 0) {
      handle.read(this.reads);
      this.reads = 0;
    }
  }

  private openHandle(request: Buffer | undefined): VrpcStreamHandle {
    return this.client.openStream({
      service: this.target.service,
      method: this.target.method,
      callType: this.callType,
      listener: {
        onMetadata: (metadata) => this.sendMetadata(metadata),
        onMessage: (payload) => this.deliver(payload),
        onStatus: (outcome) => this.finish(outcome),
      },
      metadata: this.metadata,
      options: { deadline: this.options.deadline, pull: true },
      request,
    });
  }

  private sendMetadata(metadata: Metadata): void {
    if (this.metadataSent || this.done) return;
    this.metadataSent = true;
    process.nextTick(() => this.listener.onReceiveMetadata?.(metadata));
  }

  private deliver(payload: Buffer): void {
    if (this.done) return;
    let message: unknown;
    try {
      message = this.options.method_definition.responseDeserialize(payload);
    } catch (error: unknown) {
      this.fail(InterceptorMessages.parseFailed(reasonOf(error)));
      return;
    }
    this.sendMetadata(new Metadata());
    // Also reached from startRead (a message already here): never call back synchronously.
    process.nextTick(() => this.listener.onReceiveMessage?.(message));
  }

  private fail(details: string): void {
    this.handle?.cancel();
    this.finish({ code: status.INTERNAL, details, metadata: new Metadata() });
  }

  private finish(outcome: VrpcStreamStatus | StatusObject): void {
    if (this.done) return;
    this.done = true;
    process.nextTick(() => this.listener.onReceiveStatus?.(outcome));
  }
}
