import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IncomingMessage } from '../bus.interface.js';
import { HandlerPool } from './handler-pool.js';

const message = (offset: string): IncomingMessage => ({ topic: 't', partition: 0, offset, key: null, value: Buffer.alloc(0), headers: {} });

describe('HandlerPool.drain(deadline)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves true once every message is settled, before the deadline', async () => {
    const pool = new HandlerPool(2);
    let finish: () => void = () => undefined;
    const settled: string[] = [];
    pool.submit(
      message('1'),
      null,
      () => new Promise<void>((resolve) => (finish = resolve)),
      (_, handled) => void settled.push(handled.offset),
    );
    const drained = pool.drain(Date.now() + 60_000);
    finish();
    await expect(drained).resolves.toBe(true);
    expect(settled).toEqual(['1']);
  });

  it('gives up at the deadline with a handler that never ends, leaving it unsettled', async () => {
    vi.useFakeTimers();
    const pool = new HandlerPool(2);
    const settled: string[] = [];
    pool.submit(
      message('1'),
      null,
      () => new Promise<void>(() => undefined),
      (_, handled) => void settled.push(handled.offset),
    );
    let result: boolean | undefined;
    const drained = pool.drain(Date.now() + 10_000).then((value) => (result = value));
    await vi.advanceTimersByTimeAsync(9_999);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await drained;
    expect(result).toBe(false);
    expect(settled).toEqual([]);
  });

  it('lets whoever waits for a slot through at the deadline, so a closing fetch loop can stop', async () => {
    vi.useFakeTimers();
    const pool = new HandlerPool(1);
    pool.submit(
      message('1'),
      null,
      () => new Promise<void>(() => undefined),
      () => undefined,
    );
    let woken = false;
    void pool.take().then(() => (woken = true));
    const drained = pool.drain(Date.now() + 1_000);
    await vi.advanceTimersByTimeAsync(999);
    expect(woken).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(drained).resolves.toBe(false);
    expect(woken).toBe(true);
  });
});
