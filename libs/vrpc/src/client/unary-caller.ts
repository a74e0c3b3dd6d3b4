import { type Metadata, status } from '@grpc/grpc-js';
import { Observable, throwError } from 'rxjs';
import { VrpcCallError } from '../errors/vrpc-call.error.js';
import { VrpcMessages } from '../errors/vrpc.messages.js';
import { isTooLargeError } from '../errors/vrpc-publish.error.js';
import { asBuffer } from '../protocol/bytes.js';
import type { RpcService } from '../protocol/proto-registry.js';
import type { VrpcCallOptions } from './call-options.interface.js';
import type { CallRegistry, ReplySink } from './call-registry.js';
import type { CallRouter } from './call-router.js';
import type { RawReply } from './raw-reply.interface.js';
import { rawReply, replyMetadata } from './reply-metadata.js';
import type { RequestParts } from './request-message.js';
import { resolveDeadline } from './resolve-deadline.js';
import type { ServiceCaller } from './service-client.js';
import { NO_OBSERVATION } from '../telemetry/call-observation.js';
import { type ClientTelemetry, codeOf, ObservedSink } from './client-telemetry.js';

/** A client's calls from start to outcome: deadline, registration, routing; shared by every kind of call. */
export class UnaryCaller implements ServiceCaller {
  /**
   * @param instanceId the client's instance id (the envelopes' `clientId`)
   * @param timeoutMs the deadline of calls that set none
   */
  constructor(
    private readonly instanceId: string,
    private readonly timeoutMs: number,
    private readonly calls: CallRegistry,
    private readonly router: Pick<CallRouter, 'send'>,
    private readonly telemetry?: ClientTelemetry,
  ) {}

  /** A unary call of a proto method, encoding the request and decoding the reply; sent on subscription. */
  call(service: RpcService, methodName: string, data: unknown, metadata?: Metadata, options?: VrpcCallOptions): Observable<unknown> {
    const method = service.methods.get(methodName);
    if (!method) {
      return throwError(() => new VrpcCallError(status.UNIMPLEMENTED, VrpcMessages.unknownMethod(service.fullName, methodName)));
    }
    // Encoding a request stream as one message would answer wrongly: refused before anything is sent.
    if (method.streaming) {
      return throwError(() => new VrpcCallError(status.UNIMPLEMENTED, VrpcMessages.streamingUnsupported(service.fullName, methodName)));
    }
    // One Observable straight on the pending call, decoding in its sink: this is every call's path.
    return new Observable<unknown>((subscriber) => {
      let payload: Buffer;
      try {
        payload = method.encodeRequest(data);
      } catch (error: unknown) {
        subscriber.error(error);
        return undefined;
      }
      return this.start(service.fullName, method.name, payload, metadata, options, {
        reply: (reply, path) => {
          let value: unknown;
          try {
            options?.onResponseMetadata?.(replyMetadata(reply, path));
          } catch (error: unknown) {
            subscriber.error(error);
            return;
          }
          try {
            value = method.decodeResponse(asBuffer(reply.payload));
          } catch (error: unknown) {
            subscriber.error(new VrpcCallError(status.INTERNAL, VrpcMessages.undecodableReply(String(error))));
            return;
          }
          subscriber.next(value);
          subscriber.complete();
        },
        error: (error) => subscriber.error(error),
      });
    });
  }

  /** A unary call with an encoded payload, emitting the reply's bytes and metadata; sent on subscription. */
  callRawReply(
    serviceName: string,
    methodName: string,
    payload: Buffer,
    metadata?: Metadata,
    options?: VrpcCallOptions,
  ): Observable<RawReply> {
    return new Observable<RawReply>((subscriber) =>
      this.start(serviceName, methodName, payload, metadata, options, {
        reply: (reply, path) => {
          subscriber.next(rawReply(reply, path));
          subscriber.complete();
        },
        error: (error) => subscriber.error(error),
      }),
    );
  }

  /** A one-way call of a proto method: resolves once it is sent (over the bus, or directly where routed). */
  async emit(service: RpcService, methodName: string, data: unknown): Promise<void> {
    const method = service.methods.get(methodName);
    if (!method) throw new VrpcCallError(status.UNIMPLEMENTED, VrpcMessages.unknownMethod(service.fullName, methodName));
    if (method.streaming) throw new VrpcCallError(status.UNIMPLEMENTED, VrpcMessages.streamingUnsupported(service.fullName, methodName));
    const payload = method.encodeRequest(data);
    const id = this.calls.nextId();
    const observation = this.telemetry?.observe(service.fullName, method.name, id) ?? NO_OBSERVATION;
    const parts = this.parts(service.fullName, method.name, payload, undefined, undefined, true, id, observation.carrier);
    if (observation === NO_OBSERVATION) return this.router.send(parts);
    try {
      await this.router.send(parts);
      observation.end(status.OK);
    } catch (error: unknown) {
      observation.end(codeOf(error));
      throw error;
    }
  }

  /** Starts one call whose outcome goes to `sink`; returns what forgets it (on unsubscribe). */
  private start(
    serviceName: string,
    methodName: string,
    payload: Buffer,
    metadata: Metadata | undefined,
    options: VrpcCallOptions | undefined,
    sink: ReplySink,
  ): () => void {
    const id = this.calls.nextId();
    const observation = this.telemetry?.observe(serviceName, methodName, id) ?? NO_OBSERVATION;
    const parts = this.parts(serviceName, methodName, payload, metadata, options, false, id, observation.carrier);
    const observed = observation !== NO_OBSERVATION;
    this.calls.add(id, observed ? new ObservedSink(sink, observation) : sink, parts.deadline, parts.now, serviceName);
    this.router.send(parts).catch((error: unknown) => this.calls.fail(id, publishFailure(error)));
    if (!observed) return () => this.calls.forget(id);
    return () => {
      this.calls.forget(id);
      // After the outcome this does nothing (the first end counts): only a caller leaving early is CANCELLED.
      observation.end(status.CANCELLED);
    };
  }

  private parts(
    serviceName: string,
    method: string,
    payload: Buffer,
    metadata: Metadata | undefined,
    options: VrpcCallOptions | undefined,
    oneWay: boolean,
    id: string,
    trace: Record<string, string> | undefined,
  ): RequestParts {
    const now = Date.now();
    const deadline = resolveDeadline(options, this.timeoutMs, now);
    return { clientId: this.instanceId, serviceName, method, id, payload, metadata, options, deadline, now, oneWay, trace };
  }
}

/** What a call whose request could not be sent fails with: its own error, else RESOURCE_EXHAUSTED (too large) or UNAVAILABLE. */
export function publishFailure(error: unknown): VrpcCallError {
  if (error instanceof VrpcCallError) return error;
  const code = isTooLargeError(error) ? status.RESOURCE_EXHAUSTED : status.UNAVAILABLE;
  return new VrpcCallError(code, VrpcMessages.publishFailed(String(error)));
}
