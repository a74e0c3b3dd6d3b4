import { Metadata, status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import type { MessageHandler as NestHandler } from '@nestjs/microservices';
import { defer, type Observable, Subject } from 'rxjs';
import { StreamMessages, VrpcMessages } from '../errors/vrpc.messages.js';
import { asBuffer } from '../protocol/bytes.js';
import type { ProtoRegistry, RpcMethod } from '../protocol/proto-registry.js';
import { errorReply } from '../serving/reply.factory.js';
import { RequestMetadataReader } from '../serving/request-metadata.js';
import type { StreamCallIO, StreamExecutor } from '../serving/stream-executor.interface.js';
import { statusFromError } from '../serving/status-from-error.js';
import { RatedLog } from '../utils/rated-log.js';
import { handlerKey } from './handler-index.js';
import { writeResult } from './nest-stream.writer.js';
import { VrpcContext } from './vrpc.context.js';
import { callLabel } from '../serving/call-log.js';
import { type ProcessingHooks, runHooked } from './processing-hooks.js';

/** What serving Nest's streaming handlers needs. */
export interface NestStreamExecutorDeps {
  registry: ProtoRegistry;
  handlers: Map<string, NestHandler>;
  /** Keys of the `@GrpcStreamCall` handlers: answered UNIMPLEMENTED. */
  streamCalls: ReadonlySet<string>;
  toObservable: (result: unknown) => Observable<unknown>;
  /** Nest's processing hooks, when the app set any: each stream runs between them, from acceptance to end. */
  hooks?: () => ProcessingHooks | undefined;
}

type GrpcHandler = (...args: unknown[]) => unknown;

/**
 * The caller's messages as Nest's `@GrpcStreamMethod` handlers take them: an Observable of
 * decoded requests that completes on half-close (or when the call stops). Messages are read from
 * the call only once it is subscribed (before, they wait in the channel, within its window); an
 * undecodable one ends the call INVALID_ARGUMENT.
 */
function requestStream(io: StreamCallIO, method: RpcMethod): Observable<unknown> {
  const requests = new Subject<unknown>();
  let reading = false;
  const { serviceName, methodName } = io.opening;
  io.onRequests({
    message: (payload) => {
      let value: unknown;
      try {
        value = method.decodeRequest(payload);
      } catch {
        io.end({ code: status.INVALID_ARGUMENT, message: VrpcMessages.invalidPayload(serviceName, methodName) });
        requests.complete();
        return;
      }
      requests.next(value);
    },
    end: () => requests.complete(),
  });
  io.signal.addEventListener('abort', () => requests.complete(), { once: true });
  return defer(() => {
    if (!reading) {
      reading = true;
      queueMicrotask(() => io.read(Infinity));
    }
    return requests;
  });
}

/**
 * Runs streaming calls through the app's handlers and Nest's pipeline (guards, pipes,
 * interceptors, filters: the handler Nest registered is the wrapped one), as Nest's gRPC
 * transport does: server streaming `(data, metadata, context)` → each value a message;
 * client streaming and bidi `(requests$, metadata, context)` → the last value the reply, or
 * every value a message. Task keys do not apply to streams (ignored, noted at debug level).
 */
export function nestStreamExecutor({ registry, handlers, streamCalls, toObservable, hooks }: NestStreamExecutorDeps): StreamExecutor {
  const logger = new Logger('VrpcServer');
  const metadataReader = new RequestMetadataReader((line) => logger.warn(line));
  const notes = new RatedLog((line) => logger.debug(line));
  return (envelope, message, caller) => {
    const { serviceName, methodName } = envelope;
    const service = registry.find(serviceName);
    const method = service?.methods.get(methodName);
    const key = service && handlerKey(service.fullName, methodName);
    const handler = key === undefined ? undefined : handlers.get(key);
    if (!method || !handler || key === undefined) {
      return errorReply(envelope, { code: status.UNIMPLEMENTED, message: VrpcMessages.unknownMethod(serviceName, methodName) });
    }
    if (streamCalls.has(key))
      return errorReply(envelope, { code: status.UNIMPLEMENTED, message: StreamMessages.streamCall(serviceName, methodName) });
    if (!method.streaming)
      return errorReply(envelope, { code: status.UNIMPLEMENTED, message: StreamMessages.unsupported(serviceName, methodName) });
    const metadata = metadataReader.read(envelope);
    if (!(metadata instanceof Metadata)) return metadata;
    if (envelope.taskKey)
      notes.note('task-key', `ignored the task key of stream ${callLabel(envelope)}: task keys do not apply to streams`);
    let data: unknown;
    if (!method.requestStream) {
      try {
        data = method.decodeRequest(asBuffer(envelope.payload));
      } catch {
        return errorReply(envelope, { code: status.INVALID_ARGUMENT, message: VrpcMessages.invalidPayload(serviceName, methodName) });
      }
    }
    const context = new VrpcContext([envelope, message, { caller }]);
    const grpcHandler = handler as unknown as GrpcHandler;
    const mode = method.responseStream ? 'each' : 'last';
    const encode = (value: unknown): Buffer => method.encodeResponse(value);
    const run = (io: StreamCallIO): void => {
      const input = method.requestStream ? requestStream(io, method) : data;
      Promise.resolve()
        .then(() => grpcHandler(input, metadata, context))
        .then(
          (result) => {
            if (!io.signal.aborted) writeResult(io, result, { encode, toObservable, mode });
          },
          (error: unknown) => io.end(statusFromError(error)),
        )
        .catch((error: unknown) => io.end(statusFromError(error)));
    };
    return (io) => {
      const processing = hooks?.();
      if (!processing) return run(io);
      const stopped = new Promise<void>((resolve) => {
        if (io.signal.aborted) resolve();
        else io.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      const work = (): Promise<void> => {
        run(io);
        return stopped;
      };
      void runHooked(processing, context, envelope, work, () => io.end({ code: status.INTERNAL, message: VrpcMessages.internal }));
    };
  };
}
