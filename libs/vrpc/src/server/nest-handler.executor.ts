import { status } from '@grpc/grpc-js';
import type { MessageHandler as NestHandler } from '@nestjs/microservices';
import { lastValueFrom, type Observable } from 'rxjs';
import { mapToMetadata } from '../codec/metadata.codec.js';
import type { ProtoRegistry } from '../codec/proto-registry.js';
import { statusFromError } from '../errors/status-from-error.js';
import { VrpcMessages } from '../vrpc.messages.js';
import { handlerKey } from './handler-index.js';
import { errorReply, okReply } from './reply.factory.js';
import type { RequestExecutor } from './request-executor.interface.js';
import { VrpcContext } from './vrpc.context.js';

/** What running Nest handlers needs. */
export interface NestHandlerExecutorDeps {
  registry: ProtoRegistry;
  handlers: Map<string, NestHandler>;
  toObservable: (result: unknown) => Observable<unknown>;
}

/**
 * Runs a request through the app's `@GrpcMethod` handler and Nest's pipeline (guards, pipes,
 * interceptors, exception filters), with `(data, metadata, context)` as gRPC would.
 */
export function nestHandlerExecutor({ registry, handlers, toObservable }: NestHandlerExecutorDeps): RequestExecutor {
  return async (envelope, message) => {
    const { serviceName, methodName } = envelope;
    const service = registry.find(serviceName);
    const method = service?.methods.get(methodName);
    const handler = service && handlers.get(handlerKey(service.fullName, methodName));
    if (!method || !handler) {
      return errorReply(envelope, { code: status.UNIMPLEMENTED, message: VrpcMessages.unknownMethod(serviceName, methodName) });
    }
    if (method.streaming) {
      return errorReply(envelope, { code: status.UNIMPLEMENTED, message: VrpcMessages.streamingUnsupported(serviceName, methodName) });
    }
    let data: unknown;
    try {
      data = method.decodeRequest(Buffer.from(envelope.payload));
    } catch {
      return errorReply(envelope, { code: status.INVALID_ARGUMENT, message: VrpcMessages.invalidPayload(serviceName, methodName) });
    }
    try {
      // Nest's gRPC handlers take (data, metadata, call); the context stands where `call` would.
      const grpcHandler = handler as unknown as (...args: unknown[]) => Promise<unknown>;
      const result = await grpcHandler(data, mapToMetadata(envelope.metadata), new VrpcContext([envelope, message]));
      const value = await lastValueFrom(toObservable(result), { defaultValue: {} });
      return okReply(envelope, method.encodeResponse(value ?? {}));
    } catch (error: unknown) {
      return errorReply(envelope, statusFromError(error));
    }
  };
}
