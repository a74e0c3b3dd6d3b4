import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../bus.interface.js';
import { HandlerPool } from './handler-pool.js';

const message = (offset: number, key: string | null = null): IncomingMessage => ({
  topic: 't',
  partition: 0,
  offset: String(offset),
  key,
  value: Buffer.from(String(offset)),
  headers: {},
});

/** A handler each call of which waits until the test opens it. */
function gated() {
  const opens = new Map<string, () => void>();
  const started: string[] = [];
  const handler = (m: IncomingMessage) =>
    new Promise<void>((resolve) => {
      started.push(m.offset);
      opens.set(m.offset, resolve);
    });
  const open = (offset: number) => opens.get(String(offset))?.();
  return { handler, started, open };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('HandlerPool', () => {
  it('reserves the free slots, and gives back the unused ones', async () => {
    const pool = new HandlerPool(3, false);
    const { handler, open } = gated();
    expect(await pool.reserve()).toBe(3);
    pool.run(message(0), handler, () => undefined, true);
    pool.release(2);
    expect(pool.free).toBe(2);
    let reserved = 0;
    const next = pool.reserve().then((n) => (reserved = n));
    await tick();
    expect(reserved).toBe(2);
    await next;
    expect(pool.free).toBe(0);
    open(0);
    await pool.drain();
    pool.release(2);
    expect(pool.free).toBe(3);
  });

  it('waits for a slot before it lets a pulling plugin take more', async () => {
    const pool = new HandlerPool(1, false);
    const { handler, open } = gated();
    await pool.whenFree();
    pool.run(message(0), handler, () => undefined);
    let free = false;
    const waiting = pool.whenFree().then(() => (free = true));
    await tick();
    expect(free).toBe(false);
    open(0);
    await waiting;
    expect(free).toBe(true);
  });

  it('runs messages of one key one after another, other keys alongside', async () => {
    const pool = new HandlerPool(4, true);
    const { handler, started, open } = gated();
    pool.run(message(0, 'a'), handler, () => undefined);
    pool.run(message(1, 'a'), handler, () => undefined);
    pool.run(message(2, 'b'), handler, () => undefined);
    await tick();
    expect(started).toEqual(['0', '2']);
    open(0);
    await tick();
    expect(started).toEqual(['0', '2', '1']);
    open(1);
    open(2);
    await pool.drain();
  });

  it('tells settle whether the handler resolved, and drains only when every settle ran', async () => {
    const pool = new HandlerPool(2, false);
    const outcomes: string[] = [];
    pool.run(message(0), () => Promise.resolve(), (outcome) => void outcomes.push(outcome.ok ? 'ok' : 'failed'));
    pool.run(message(1), () => Promise.reject(new Error('no')), async (outcome) => {
      await tick();
      outcomes.push(outcome.ok ? 'ok' : `failed: ${String(outcome.error)}`);
    });
    await pool.drain();
    expect(outcomes.sort()).toEqual(['failed: Error: no', 'ok']);
    expect(pool.inFlight).toBe(0);
  });
});
