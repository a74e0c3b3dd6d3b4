import { Metadata, status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import type { MessageHandler as NestHandler } from '@nestjs/microservices';
import { lastValueFrom, type Observable } from 'rxjs';
import { asBuffer } from '../protocol/bytes.js';
import type { RequestEnvelope } from '../protocol/envelope.js';
import type { ProtoRegistry, RpcMethod } from '../protocol/proto-registry.js';
import { failedResult, taskGate } from '../task/call-task.js';
import { VRPC_TASK_EXTRA } from '../task/vrpc-task.decorator.js';
import type { TaskCoordinator } from '../task/task-coordinator.js';
import { withTaskGate } from '../task/task-gate.js';
import { taskStoreKey } from '../task/task-store-key.js';
import type { VrpcTaskOptions } from '../task/task-options.interface.js';
import type { StoredTaskResult } from '../task/task-store.interface.js';
import { statusFromError } from '../serving/status-from-error.js';
import { VrpcMessages } from '../errors/vrpc.messages.js';
import { handlerKey } from './handler-index.js';
import { errorReply, replyFrom } from '../serving/reply.factory.js';
import type { RequestExecutor } from '../serving/request-executor.interface.js';
import { RequestMetadataReader } from '../serving/request-metadata.js';
import { RatedLog } from '../utils/rated-log.js';
import { type VrpcCallState, VrpcContext } from './vrpc.context.js';
import { callLabel } from '../serving/call-log.js';
import { type ProcessingHooks, runHooked } from './processing-hooks.js';

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
  /** Nest's processing hooks, when the app set any: each handler execution runs between them. */
  hooks?: () => ProcessingHooks | undefined;
}

/** The task key of a call: its own (unless the method refuses them), else the one its `@VrpcTask` derives. */
function taskKeyOf(envelope: RequestEnvelope, options: VrpcTaskOptions<unknown>, data: unknown): string | undefined {
  if (envelope.taskKey && options.callerKey !== false) return envelope.taskKey;
  return options.key?.(data) || undefined;
}

/**
 * Runs a request through the app's `@GrpcMethod` handler and Nest's pipeline (guards, pipes,
 * interceptors, exception filters), with `(data, metadata, context)` as gRPC would. A
 * `@VrpcTask` method's task is looked up inside that pipeline, where its body would run
 * (`withTaskGate`); other methods ignore a call's task key and run every time.
 */
export function nestHandlerExecutor({ registry, handlers, toObservable, tasks, hooks }: NestHandlerExecutorDeps): RequestExecutor {
  const logger = new Logger('VrpcServer');
  const metadataReader = new RequestMetadataReader((line) => logger.warn(line));
  const notes = new RatedLog((line) => logger.debug(line));
  const runPipeline = async (
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
      return failedResult(statusFromError(error));
    }
  };
  const hookFailed = (): StoredTaskResult => failedResult({ code: status.INTERNAL, message: VrpcMessages.internal });
  const runHandler = (handler: NestHandler, method: RpcMethod, data: unknown, metadata: Metadata, context: VrpcContext) => {
    const processing = hooks?.();
    if (!processing) return runPipeline(handler, method, data, metadata, context);
    const work = () => runPipeline(handler, method, data, metadata, context);
    return runHooked(processing, context, context.getEnvelope(), work, hookFailed);
  };

  return async (envelope, message, caller) => {
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
    const call: VrpcCallState = { caller };
    const context = new VrpcContext([envelope, message, call]);
    const taskOptions = handler.extras?.[VRPC_TASK_EXTRA] as VrpcTaskOptions<unknown> | undefined;
    if (!taskOptions && envelope.taskKey) {
      notes.note('task-key', `ignored the task key of ${callLabel(envelope)}: not a @VrpcTask`);
    }
    const key = taskOptions && taskKeyOf(envelope, taskOptions, data);
    if (!taskOptions || key === undefined) return replyFrom(envelope, await runHandler(handler, method, data, metadata, context));
    const gate = taskGate({
      coordinator: tasks.coordinator,
      run: {
        key: taskStoreKey(service.fullName, methodName, key),
        owner: `${tasks.instanceId}/${envelope.requestId}`,
        ttlMs: taskOptions.ttlMs ?? tasks.ttlMs,
        leaseMs: taskOptions.leaseMs ?? tasks.leaseMs,
        deadline: envelope.deadline > 0 ? envelope.deadline : Date.now() + tasks.leaseMs,
      },
      settle: (result) => lastValueFrom(toObservable(result), { defaultValue: {} }),
      encode: (value) => method.encodeResponse(value),
      decode: (bytes) => method.decodeResponse(asBuffer(bytes)),
      holding: (fencingToken) => (call.task = { key, fencingToken }),
    });
    return replyFrom(envelope, await withTaskGate(gate, () => runHandler(handler, method, data, metadata, context)));
  };
}
