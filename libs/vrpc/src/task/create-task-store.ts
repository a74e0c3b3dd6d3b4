import { ConfigMessages } from '../errors/vrpc.messages.js';
import { VrpcConfigError } from '../errors/vrpc-config.error.js';
import { MemoryTaskStore } from './memory-task.store.js';
import { RedisTaskStore } from './redis-task.store.js';
import type { VrpcTasksOptions } from './task-options.interface.js';
import type { TaskStore } from './task-store.interface.js';

/** The task store the options ask for (in memory by default). */
export function createTaskStore(options: VrpcTasksOptions = {}): TaskStore {
  const store = options.store ?? 'memory';
  if (store === 'memory') return new MemoryTaskStore();
  if (store === 'redis') return new RedisTaskStore(options.redis);
  // A JavaScript caller (or a config file) can pass anything here.
  if (typeof store !== 'object' || store === null)
    throw new VrpcConfigError('server.tasks.store', ConfigMessages.invalidTaskStore(JSON.stringify(store)));
  return store;
}
