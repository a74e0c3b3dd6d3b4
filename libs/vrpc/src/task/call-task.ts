import { status } from '@grpc/grpc-js';
import { MESSAGES } from '@nestjs/core/constants.js';
import { RpcException } from '@nestjs/microservices';
import { readMetadata } from '../protocol/metadata.codec.js';
import { type ReplyStatus, statusFromError } from '../serving/status-from-error.js';
import type { TaskCoordinator, TaskRun } from './task-coordinator.js';
import type { TaskGate } from './task-gate.js';
import type { StoredTaskResult } from './task-store.interface.js';

/** One call's task, as the executor knows it before the Nest pipeline runs. */
export interface CallTask {
  coordinator: TaskCoordinator;
  /** The run, with the store key (`taskStoreKey`). */
  run: TaskRun;
  /** Resolves what the method returned (a value, a promise, an observable) to its value. */
  settle(result: unknown): Promise<unknown>;
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
  /** Called when this call becomes the task's holder, before the method body runs. */
  holding(fencingToken: number): void;
}

/**
 * The status a thrown error becomes once Nest's default exception filter has seen it:
 * `RpcException`s keep theirs, anything else is INTERNAL with Nest's safe text.
 */
function failureOf(error: unknown): StoredTaskResult {
  return failedResult(
    error instanceof RpcException
      ? statusFromError(error.getError())
      : { code: status.INTERNAL, message: MESSAGES.UNKNOWN_EXCEPTION_MESSAGE },
  );
}

/** A failed call's outcome as a task remembers it (and as the executor replies with it). */
export function failedResult(reply: ReplyStatus): StoredTaskResult {
  const failed: StoredTaskResult = {
    payload: new Uint8Array(),
    statusCode: reply.code,
    errorMessage: reply.message,
    metadata: reply.metadata ?? {},
  };
  if (reply.metadataEntries) failed.metadataEntries = reply.metadataEntries;
  return failed;
}

/** A remembered (or joined) outcome given back to the pipeline as the method's own would be. */
function replay(outcome: StoredTaskResult, decode: (bytes: Uint8Array) => unknown): unknown {
  if (outcome.statusCode === (status.OK as number)) return decode(outcome.payload);
  const metadata = readMetadata({ metadata: outcome.metadata, metadataEntries: outcome.metadataEntries });
  throw new RpcException({ code: outcome.statusCode, message: outcome.errorMessage, metadata });
}

/**
 * The gate a `@VrpcTask` method's body passes through, innermost in the Nest pipeline (after
 * guards, interceptors on the way in, and pipes): the holder runs the body and gets its own
 * value or error; everyone else gets the recorded outcome, which then goes out through the
 * interceptors and exception filters like any reply.
 */
export function taskGate(task: CallTask): TaskGate {
  return async (invoke) => {
    let own: { value: unknown } | { error: unknown } | undefined;
    const outcome = await task.coordinator.run(task.run, async (fencingToken) => {
      task.holding(fencingToken);
      try {
        const value = await task.settle(invoke());
        own = { value };
        return { payload: task.encode(value ?? {}), statusCode: status.OK, errorMessage: '', metadata: {} };
      } catch (error: unknown) {
        own = { error };
        return failureOf(error);
      }
    });
    if (own === undefined) return replay(outcome, (bytes) => task.decode(bytes));
    if ('error' in own) throw own.error;
    return own.value;
  };
}
