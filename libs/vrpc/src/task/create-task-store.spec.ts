import { describe, expect, it } from 'vitest';
import { VrpcConfigError } from '../errors/vrpc-config.error.js';
import { createTaskStore } from './create-task-store.js';
import { MemoryTaskStore } from './memory-task.store.js';

describe('createTaskStore', () => {
  it('makes the memory store by default and keeps a given store', () => {
    expect(createTaskStore()).toBeInstanceOf(MemoryTaskStore);
    const store = new MemoryTaskStore();
    expect(createTaskStore({ store })).toBe(store);
  });

  it('names the option for a store it does not know', () => {
    const make = () => createTaskStore({ store: 'postgres' as never });
    expect(make).toThrow(VrpcConfigError);
    expect(make).toThrow(`vRPC: server.tasks.store: "postgres" is not a task store; use 'memory', 'redis' or a TaskStore`);
  });
});
