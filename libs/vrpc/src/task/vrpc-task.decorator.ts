import { PATTERN_EXTRAS_METADATA } from '@nestjs/microservices/constants.js';
import { claimTaskGate } from './task-gate.js';
import type { VrpcTaskOptions } from './task-options.interface.js';

/** Key of the task options among a handler's pattern extras. */
export const VRPC_TASK_EXTRA = 'vrpcTask';

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** `method`'s body behind the task gate of the call being served, when there is one. */
function gated(method: Method): Method {
  const wrapper: Method = function (this: unknown, ...args: unknown[]) {
    const gate = claimTaskGate();
    return gate ? gate(() => method.apply(this, args)) : method.apply(this, args);
  };
  // Nest reads guards, pipes, patterns and parameter types from the function and its name.
  for (const key of Reflect.getOwnMetadataKeys(method)) Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, method), wrapper);
  Object.defineProperty(wrapper, 'name', { value: method.name });
  return wrapper;
}

/**
 * Makes a `@GrpcMethod` handler a task-level singleton when served by vRPC: for one task key,
 * one execution at a time across all instances, duplicates get its result, and the result is
 * remembered for a TTL. Only such methods honour a call's own task key. The task is looked up
 * inside Nest's pipeline, where the method body would run: guards and pipes decide first, and
 * a remembered result goes out through the interceptors like the method's own. Place it next
 * to `@GrpcMethod` and the `@Use…` decorators (any order). Served by anything but vRPC, the
 * method runs as written.
 */
export function VrpcTask<TRequest = never>(options: VrpcTaskOptions<TRequest> = {}): MethodDecorator {
  return <T>(_target: object, _key: string | symbol, descriptor: TypedPropertyDescriptor<T>) => {
    const handler = gated(descriptor.value as Method);
    const extras = (Reflect.getMetadata(PATTERN_EXTRAS_METADATA, handler) ?? {}) as Record<string, unknown>;
    Reflect.defineMetadata(PATTERN_EXTRAS_METADATA, { ...extras, [VRPC_TASK_EXTRA]: options }, handler);
    return { ...descriptor, value: handler as T };
  };
}
