import { type InterceptorOptions, Metadata, type NextCall, status, type StatusObject } from '@grpc/grpc-js';
import type { Subscription } from 'rxjs';
import type { VrpcClient } from '../client/vrpc-client.js';
import type { GrpcPath } from '../grpc/grpc-path.js';
import { type CapturedContext, runInContext } from '../telemetry/captured-context.js';
import { InterceptorMessages } from '../errors/vrpc.messages.js';

// grpc-js exports these only as parts of other types.
type InterceptingCallInterface = ReturnType<NextCall>;
type CallListener = NonNullable<Parameters<InterceptingCallInterface['start']>[1]>;
type MessageContext = Parameters<InterceptingCallInterface['sendMessageWithContext']>[0];

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The gRPC status a failed vRPC call reports; `VrpcCallError` already has grpc-js' shape. */
function statusOf(error: unknown): StatusObject {
  const { code, details, metadata } = (typeof error === 'object' && error !== null ? error : {}) as Partial<StatusObject>;
  if (typeof code === 'number' && typeof details === 'string') {
    return { code, details, metadata: metadata instanceof Metadata ? metadata : new Metadata() };
  }
  return { code: status.INTERNAL, details: reasonOf(error), metadata: new Metadata() };
}

/**
 * The bottom of the interceptor chain for a call routed over vRPC: it stands where grpc-js'
 * own call would, serialises the request with the method's serialiser (the only encoding),
 * publishes it through `VrpcClient.callRaw`, and answers the listener as a server would.
 */
export class VrpcUnaryCall implements InterceptingCallInterface {
  private listener: Partial<CallListener> = {};
  private metadata = new Metadata();
  private payload: Buffer | undefined;
  private subscription: Subscription | undefined;
  private done = false;

  constructor(
    private readonly client: VrpcClient,
    private readonly target: GrpcPath,
    private readonly options: InterceptorOptions,
    /** The context where the grpc-js call was made (`captureContext()`). */
    private readonly context?: CapturedContext,
  ) {}

  start(metadata: Metadata, listener?: Partial<CallListener>): void {
    this.metadata = metadata;
    this.listener = listener ?? {};
  }

  sendMessageWithContext(context: MessageContext, message: unknown): void {
    if (this.done) return;
    try {
      this.payload = this.options.method_definition.requestSerialize(message);
    } catch (error: unknown) {
      this.finish({ code: status.INTERNAL, details: InterceptorMessages.serializeFailed(reasonOf(error)), metadata: new Metadata() });
      return;
    }
    context.callback?.();
  }

  sendMessage(message: unknown): void {
    this.sendMessageWithContext({}, message);
  }

  /** The request is complete: send it. */
  halfClose(): void {
    if (this.done || this.subscription) return;
    const payload = this.payload;
    if (!payload) {
      this.finish({ code: status.INTERNAL, details: InterceptorMessages.noRequest, metadata: new Metadata() });
      return;
    }
    const { service, method } = this.target;
    const call = this.client.callRawReply(service, method, payload, this.metadata, { deadline: this.options.deadline });
    this.subscription = runInContext(this.context, () =>
      call.subscribe({
        next: (reply) => this.answer(reply.payload, reply.metadata),
        error: (error: unknown) => this.finish(statusOf(error)),
      }),
    );
  }

  /** Cancelling forgets the call in the client, so no reply is awaited any more. */
  cancelWithStatus(code: status, details: string): void {
    if (this.done) return;
    this.subscription?.unsubscribe();
    this.finish({ code, details, metadata: new Metadata() });
  }

  getPeer(): string {
    return `vrpc:${this.target.service}`;
  }

  startRead(): void {
    // The reply is delivered when it arrives; a unary call reads exactly once.
  }

  getAuthContext(): null {
    return null;
  }

  private answer(bytes: Buffer, metadata: Metadata): void {
    if (this.done) return;
    let message: unknown;
    try {
      message = this.options.method_definition.responseDeserialize(bytes);
    } catch (error: unknown) {
      this.finish({ code: status.INTERNAL, details: InterceptorMessages.parseFailed(reasonOf(error)), metadata: new Metadata() });
      return;
    }
    this.done = true;
    this.listener.onReceiveMetadata?.(metadata);
    this.listener.onReceiveMessage?.(message);
    this.listener.onReceiveStatus?.({ code: status.OK, details: 'OK', metadata: new Metadata() });
  }

  private finish(outcome: StatusObject): void {
    if (this.done) return;
    this.done = true;
    // Never call back synchronously from start/send/cancel: grpc-js itself never does.
    process.nextTick(() => this.listener.onReceiveStatus?.(outcome));
  }
}
