import type { RedisTaskStoreOptions } from './redis-task.store.js';
import type { TaskStore } from './task-store.interface.js';

/** How a handler's calls are made task-level singletons (`@VrpcTask`). */
export interface VrpcTaskOptions<TRequest = never> {
  /** Derives the task key from the request; a call's own task key (metadata `vrpc-task-key`) wins unless `callerKey` is false. */
  key?: (request: TRequest) => string | undefined;
  /**
   * Whether a call's own task key is honoured on this method (default true). False: only `key`
   * names the task, and a call-supplied key is ignored as on methods without `@VrpcTask`.
   */
  callerKey?: boolean;
  /** How long a finished result is remembered, in ms (default: the module's `tasks.ttlMs`). */
  ttlMs?: number;
  /** How long a lease lasts without renewal, in ms (default: the module's `tasks.leaseMs`). */
  leaseMs?: number;
}

/** Module-wide settings of task-level singletons. */
export interface VrpcTasksOptions {
  /** Where leases and results live: `'memory'` (default; one process) or `'redis'` (a cluster), or a store. */
  store?: 'memory' | 'redis' | TaskStore;
  /** Settings of the Redis store. */
  redis?: RedisTaskStoreOptions;
  /** Default result TTL in ms (default 60 000). */
  ttlMs?: number;
  /** Default lease in ms (default 30 000); renewed every third of it while the task runs. */
  leaseMs?: number;
  /** How often a duplicate checks for the result, in ms (default 50). */
  pollMs?: number;
}
