import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryTaskStore } from './memory-task.store.js';
import type { StoredTaskResult } from './task-store.interface.js';

const RESULT: StoredTaskResult = { payload: new Uint8Array(0), statusCode: 0, errorMessage: '', metadata: {} };

describe('MemoryTaskStore', () => {
  afterEach(() => vi.useRealTimers());

  it('forgets results, leases and fencing tokens once they expired, even if their keys are never asked for again', async () => {
    vi.useFakeTimers();
    const store = new MemoryTaskStore();
    for (let i = 0; i < 60; i++) {
      const key = `${i}-${'k'.repeat(1024)}`;
      await store.acquire(key, 'a', 5_000);
      if (i % 2 === 0) await store.complete(key, 'a', RESULT, 10_000);
    }
    expect(store.size).toBe(60 + 30 + 30);
    vi.advanceTimersByTime(6_000);
    // The leases left without a result expired: their keys are gone; the results stay for their TTL.
    expect(store.size).toBe(30 + 30);
    vi.advanceTimersByTime(5_000);
    expect(store.size).toBe(0);
    await store.close();
  });

  it('grants tokens that still grow for a key whose token was forgotten', async () => {
    vi.useFakeTimers();
    const store = new MemoryTaskStore();
    expect(await store.acquire('k', 'a', 100)).toEqual({ acquired: true, token: 1 });
    vi.advanceTimersByTime(2_000);
    expect(store.size).toBe(0);
    expect(await store.acquire('k', 'b', 100)).toEqual({ acquired: true, token: 2 });
    await store.close();
  });
});
