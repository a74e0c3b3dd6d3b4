import { PATTERN_EXTRAS_METADATA } from '@nestjs/microservices/constants.js';
import type { VrpcTaskOptions } from './task-options.interface.js';

/** Key of the task options among a handler's pattern extras. */
export const VRPC_TASK_EXTRA = 'vrpcTask';

/**
 * Makes a `@GrpcMethod` handler a task-level singleton when served by vRPC: for one task key,
 * one execution at a time across all instances, duplicates get its result, and the result is
 * remembered for a TTL. Place it next to `@GrpcMethod` (either order).
 */
export function VrpcTask<TRequest = never>(options: VrpcTaskOptions<TRequest> = {}): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const extras = (Reflect.getMetadata(PATTERN_EXTRAS_METADATA, handler) ?? {}) as Record<string, unknown>;
    Reflect.defineMetadata(PATTERN_EXTRAS_METADATA, { ...extras, [VRPC_TASK_EXTRA]: options }, handler);
    return descriptor;
  };
}
