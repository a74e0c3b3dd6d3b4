import { type Metadata, status } from '@grpc/grpc-js';
import { isObservable, Observable, type Subscription, throwError } from 'rxjs';
import { VrpcCallError } from '../errors/vrpc-call.error.js';
import { StreamMessages, VrpcMessages } from '../errors/vrpc.messages.js';
import { CallType } from '../protocol/envelope.js';
import type { RpcMethod, RpcService } from '../protocol/proto-registry.js';
import type { StreamSettings } from '../streaming/stream-settings.js';
import type { VrpcCallOptions } from './call-options.interface.js';
import type { RequestParts } from './request-message.js';
import { resolveDeadline } from './resolve-deadline.js';
import type { ServiceCaller } from './service-client.js';
import { NO_OBSERVATION } from '../telemetry/call-observation.js';
import type { ClientTelemetry } from './client-telemetry.js';
import { StreamCall, type StreamWire } from './stream-call.js';
import type { VrpcStreamHandle, VrpcStreamListener, VrpcStreamOpening } from './stream-handle.interface.js';
import type { StreamRegistry } from './stream-registry.js';

const EMPTY = Buffer.alloc(0);

/** The call type of a streaming method. */
export function callTypeOf(method: Pick<RpcMethod, 'requestStream' | 'responseStream'>): CallType {
  if (method.requestStream) return method.responseStream ? CallType.BIDI_STREAMING : CallType.CLIENT_STREAMING;
  return method.responseStream ? CallType.SERVER_STREAMING : CallType.UNARY;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A client's streaming calls: the proto-typed ones of `getService()`, and raw ones for the interceptor. */
export class StreamCaller implements ServiceCaller {
  constructor(
    private readonly instanceId: string,
    private readonly timeoutMs: number,
    private readonly settings: StreamSettings,
    private readonly streams: StreamRegistry,
    private readonly wire: StreamWire,
    private readonly nextId: () => string,
    private readonly telemetry?: ClientTelemetry,
  ) {}

  /**
   * A streaming call of a proto method, shaped as `ClientGrpc`'s: the request (server streaming)
   * or an Observable of requests (client streaming, bidi), subscribed to once the server accepts
   * the call; emits each reply decoded. Opened on subscription; unsubscribing cancels it.
   */
  call(service: RpcService, methodName: string, data: unknown, metadata?: Metadata, options?: VrpcCallOptions): Observable<unknown> {
    const method = service.methods.get(methodName);
    if (!method) {
      return throwError(() => new VrpcCallError(status.UNIMPLEMENTED, VrpcMessages.unknownMethod(service.fullName, methodName)));
    }
    if (!method.streaming) {
      return throwError(() => new VrpcCallError(status.INTERNAL, StreamMessages.notStreaming(service.fullName, methodName)));
    }
    if (method.requestStream && !isObservable(data)) {
      return throwError(
        () => new VrpcCallError(status.INVALID_ARGUMENT, StreamMessages.requestsNotObservable(service.fullName, methodName)),
      );
    }
    return new Observable<unknown>((subscriber) => {
      let request: Buffer | undefined;
      if (!method.requestStream) {
        try {
          request = method.encodeRequest(data);
        } catch (error: unknown) {
          subscriber.error(error);
          return undefined;
        }
      }
      let requests: Subscription | undefined;
      const fail = (error: unknown) => {
        handle.cancel();
        requests?.unsubscribe();
        subscriber.error(error);
      };
      const listener: VrpcStreamListener = {
        onMetadata: (leading) => {
          try {
            options?.onResponseMetadata?.(leading);
          } catch (error: unknown) {
            fail(error);
            return;
          }
          if (isObservable(data)) {
            requests = data.subscribe({
              next: (value: unknown) => {
                let bytes: Buffer;
                try {
                  bytes = method.encodeRequest(value);
                } catch (error: unknown) {
                  fail(new VrpcCallError(status.CANCELLED, StreamMessages.requestStreamFailed(reasonOf(error))));
                  return;
                }
                handle.write(bytes);
              },
              error: (error: unknown) => fail(new VrpcCallError(status.CANCELLED, StreamMessages.requestStreamFailed(reasonOf(error)))),
              complete: () => handle.end(),
            });
          }
        },
        onMessage: (payload) => {
          let value: unknown;
          try {
            value = method.decodeResponse(payload);
          } catch (error: unknown) {
            fail(new VrpcCallError(status.INTERNAL, VrpcMessages.undecodableReply(String(error))));
            return;
          }
          subscriber.next(value);
        },
        onStatus: (outcome) => {
          requests?.unsubscribe();
          if (outcome.code === status.OK) subscriber.complete();
          else subscriber.error(new VrpcCallError(outcome.code, outcome.details, outcome.metadata));
        },
      };
      const handle = this.open({
        service: service.fullName,
        method: method.name,
        callType: callTypeOf(method),
        listener,
        metadata,
        options,
        request,
      });
      return () => {
        requests?.unsubscribe();
        handle.cancel();
      };
    });
  }

  /**
   * Opens a raw streaming call: `request` is the one request of a server-streaming call; the
   * others send theirs with `write()`. The listener hears the server's messages as bytes.
   */
  open({ service, method, callType, listener, metadata, options, request }: VrpcStreamOpening): VrpcStreamHandle {
    const now = Date.now();
    const deadline = resolveDeadline(options, this.timeoutMs, now);
    const id = this.nextId();
    const observation = this.telemetry?.observe(service, method, id, callType) ?? NO_OBSERVATION;
    const parts: RequestParts = {
      clientId: this.instanceId,
      serviceName: service,
      method,
      id,
      payload: EMPTY,
      metadata,
      options,
      deadline,
      now,
      trace: observation.carrier,
    };
    const call = new StreamCall(
      { parts, callType, settings: this.settings, pull: options?.pull ?? false, listener, observation },
      this.wire,
      this.streams,
    );
    this.streams.add(call);
    call.start(callType === CallType.SERVER_STREAMING ? (request ?? EMPTY) : undefined);
    return call;
  }
}
