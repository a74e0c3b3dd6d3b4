import { Metadata, status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import type { MessageHandler as NestHandler } from '@nestjs/microservices';
import { lastValueFrom, type Observable } from 'rxjs';
import { asBuffer } from '../protocol/bytes.js';
import type { RequestEnvelope } from '../protocol/envelope.js';
import type { ProtoRegistry, RpcMethod } from '../protocol/proto-registry.js';
import { VRPC_TASK_EXTRA } from '../task/vrpc-task.decorator.js';
import type { TaskCoordinator } from '../task/task-coordinator.js';
import type { VrpcTaskOptions } from '../task/task-options.interface.js';
import type { StoredTaskResult } from '../task/task-store.interface.js';
import { statusFromError } from '../serving/status-from-error.js';
import { VrpcMessages } from '../errors/vrpc.messages.js';
import { handlerKey } from './handler-index.js';
import { errorReply, replyFrom } from '../serving/reply.factory.js';
import type { RequestExecutor } from '../serving/request-executor.interface.js';
import { RequestMetadataReader } from '../serving/request-metadata.js';
import { VrpcContext } from './vrpc.context.js';

/** Task-level singleton support for the executor. */
export interface ExecutorTasks {
  coordinator: TaskCoordinator;
  ttlMs: number;
  leaseMs: number;
  /** Identifies this server instance in lease owners. */
  instanceId: string;
}

/** What running Nest handlers needs. */
export interface NestHandlerExecutorDeps {
  registry: ProtoRegistry;
  handlers: Map<string, NestHandler>;
  toObservable: (result: unknown) => Observable<unknown>;
  tasks: ExecutorTasks;
}

/** The task key of a call: its own, else the one the handler's `@VrpcTask` derives from the request. */
function taskKeyOf(envelope: RequestEnvelope, options: VrpcTaskOptions<unknown> | undefined, data: unknown): string | undefined {
  if (envelope.taskKey) return envelope.taskKey;
  return options?.key?.(data) || undefined;
}

/**
 * Runs a request through the app's `@GrpcMethod` handler and Nest's pipeline (guards, pipes,
 * interceptors, exception filters), with `(data, metadata, context)` as gRPC would.
 */
export function nestHandlerExecutor({ registry, handlers, toObservable, tasks }: NestHandlerExecutorDeps): RequestExecutor {
  const logger = new Logger('VrpcServer');
  const metadataReader = new RequestMetadataReader((line) => logger.warn(line));
  const runHandler = async (
    handler: NestHandler,
    method: RpcMethod,
    data: unknown,
    metadata: Metadata,
    context: VrpcContext,
  ): Promise<StoredTaskResult> => {
    try {
      // Nest's gRPC handlers take (data, metadata, call); the context stands where `call` would.
      const grpcHandler = handler as unknown as (...args: unknown[]) => Promise<unknown>;
      const result = await grpcHandler(data, metadata, context);
      const value = await lastValueFrom(toObservable(result), { defaultValue: {} });
      return { payload: method.encodeResponse(value ?? {}), statusCode: status.OK, errorMessage: '', metadata: {} };
    } catch (error: unknown) {
      const reply = statusFromError(error);
      const failed: StoredTaskResult = {
        payload: new Uint8Array(),
        statusCode: reply.code,
        errorMessage: reply.message,
        metadata: reply.metadata ?? {},
      };
      if (reply.metadataEntries) failed.metadataEntries = reply.metadataEntries;
      return failed;
    }
  };

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
    const metadata = metadataReader.read(envelope);
    if (!(metadata instanceof Metadata)) return metadata;
    let data: unknown;
    try {
      data = method.decodeRequest(asBuffer(envelope.payload));
    } catch {
      return errorReply(envelope, { code: status.INVALID_ARGUMENT, message: VrpcMessages.invalidPayload(serviceName, methodName) });
    }
    const taskOptions = handler.extras?.[VRPC_TASK_EXTRA] as VrpcTaskOptions<unknown> | undefined;
    const key = taskKeyOf(envelope, taskOptions, data);
    if (key === undefined)
      return replyFrom(envelope, await runHandler(handler, method, data, metadata, new VrpcContext([envelope, message])));
    const outcome = await tasks.coordinator.run(
      {
        key,
        owner: `${tasks.instanceId}/${envelope.requestId}`,
        ttlMs: taskOptions?.ttlMs ?? tasks.ttlMs,
        leaseMs: taskOptions?.leaseMs ?? tasks.leaseMs,
        deadline: envelope.deadline > 0 ? envelope.deadline : Date.now() + tasks.leaseMs,
      },
      (fencingToken) => runHandler(handler, method, data, metadata, new VrpcContext([envelope, message, { key, fencingToken }])),
    );
    return replyFrom(envelope, outcome);
  };
}
