import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../bus.interface.js';
import { HandlerPool, type Outcome } from './handler-pool.js';

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
const ignore = () => undefined;

describe('HandlerPool', () => {
  it('reserves the free slots, and gives back the unused ones', async () => {
    const pool = new HandlerPool(3);
    const { handler, open } = gated();
    expect(await pool.reserve()).toBe(3);
    pool.run(message(0), null, handler, ignore);
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
    const pool = new HandlerPool(1);
    const { handler, open } = gated();
    await pool.take();
    pool.run(message(0), null, handler, ignore);
    let free = false;
    const waiting = pool.take().then(() => (free = true));
    await tick();
    expect(free).toBe(false);
    open(0);
    await waiting;
    expect(free).toBe(true);
  });

  it('takes a free slot synchronously, and none while every slot is taken or promised to a waiter', async () => {
    const pool = new HandlerPool(2);
    expect(pool.tryTake()).toBe(true);
    expect(pool.tryTake()).toBe(true);
    expect(pool.tryTake()).toBe(false);
    expect(pool.inFlight).toBe(2);
    const waiter = pool.take();
    pool.release();
    // The waiter came first: the freed slot is already its own.
    expect(pool.tryTake()).toBe(false);
    await waiter;
    pool.release();
    expect(pool.tryTake()).toBe(true);
  });

  it('never runs more than its limit of pushed messages at once', async () => {
    const pool = new HandlerPool(2);
    const { handler, started, open } = gated();
    for (let offset = 0; offset < 5; offset++) pool.submit(message(offset), null, handler, ignore);
    await tick();
    expect(started).toEqual(['0', '1']);
    expect(pool.free).toBe(0);
    open(1);
    await tick();
    expect(started).toEqual(['0', '1', '2']);
    for (let offset = 0; offset < 5; offset++) {
      open(offset);
      await tick();
    }
    await pool.drain();
    expect(started).toEqual(['0', '1', '2', '3', '4']);
    expect(pool.free).toBe(2);
  });

  it('runs messages of one key one after another, other keys alongside', async () => {
    const pool = new HandlerPool(4);
    const { handler, started, open } = gated();
    pool.submit(message(0, 'a'), 'a', handler, ignore);
    pool.submit(message(1, 'a'), 'a', handler, ignore);
    pool.submit(message(2, 'b'), 'b', handler, ignore);
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
    const pool = new HandlerPool(2);
    const outcomes: string[] = [];
    pool.submit(
      message(0),
      null,
      () => Promise.resolve(),
      (outcome) => void outcomes.push(outcome.ok ? 'ok' : 'failed'),
    );
    pool.submit(
      message(1),
      null,
      () => Promise.reject(new Error('no')),
      async (outcome) => {
        await tick();
        outcomes.push(outcome.ok ? 'ok' : `failed: ${String(outcome.error)}`);
      },
    );
    await pool.drain();
    expect(outcomes.sort()).toEqual(['failed: Error: no', 'ok']);
    expect(pool.inFlight).toBe(0);
  });

  it('drains the messages running and those still waiting for a slot', async () => {
    const pool = new HandlerPool(1);
    const { handler, started, open } = gated();
    pool.submit(message(0), null, handler, ignore);
    pool.submit(message(1), null, handler, ignore);
    let drained = false;
    const draining = pool.drain().then(() => (drained = true));
    await tick();
    expect(drained).toBe(false);
    open(0);
    await tick();
    expect(started).toEqual(['0', '1']);
    expect(drained).toBe(false);
    open(1);
    await draining;
    expect(pool.free).toBe(1);
  });

  it('treats a handler that throws synchronously as a rejection, keyed or not', async () => {
    const pool = new HandlerPool(2);
    const outcomes: Outcome[] = [];
    const throwing = (): Promise<void> => {
      throw new Error('sync');
    };
    expect(pool.tryTake()).toBe(true);
    expect(() => pool.run(message(0), null, throwing, (outcome) => void outcomes.push(outcome))).not.toThrow();
    expect(pool.tryTake()).toBe(true);
    expect(() => pool.run(message(1, 'a'), 'a', throwing, (outcome) => void outcomes.push(outcome))).not.toThrow();
    await pool.drain();
    expect(outcomes).toHaveLength(2);
    for (const outcome of outcomes) expect(outcome).toMatchObject({ ok: false, error: new Error('sync') });
    expect(pool.free).toBe(2);
  });

  it('frees the slot when settle throws or rejects', async () => {
    const pool = new HandlerPool(1);
    pool.submit(
      message(0),
      null,
      () => Promise.resolve(),
      () => {
        throw new Error('ack failed');
      },
    );
    pool.submit(
      message(1),
      null,
      () => Promise.resolve(),
      () => Promise.reject(new Error('ack failed')),
    );
    await pool.drain();
    expect(pool.free).toBe(1);
  });

  it('hands settle the message it settles', async () => {
    const pool = new HandlerPool(1);
    const settled: string[] = [];
    pool.submit(
      message(7),
      null,
      () => Promise.resolve(),
      (_outcome, handled) => void settled.push(handled.offset),
    );
    await pool.drain();
    expect(settled).toEqual(['7']);
  });
  it('keeps no slot for messages waiting behind a slow one of their key: other keys still flow', async () => {
    const pool = new HandlerPool(64);
    const { handler, started, open } = gated();
    // As the kafkajs bus hands out a batch: a slot each, then run.
    const hand = async (offset: number, key: string) => {
      await pool.take();
      pool.run(message(offset, key), key, handler, ignore);
    };
    for (let offset = 0; offset <= 70; offset++) await hand(offset, 'slow');
    for (let offset = 100; offset < 110; offset++) await hand(offset, `other-${offset}`);
    expect(pool.waiting).toBe(70);
    expect(pool.inFlight).toBe(11);
    expect(started).toEqual(['0', ...Array.from({ length: 10 }, (_, i) => String(100 + i))]);
    open(0);
    await tick();
    // The next of the key got the slot of the one before it.
    expect(started.at(-1)).toBe('1');
    expect(pool.inFlight).toBe(11);
    expect(pool.waiting).toBe(69);
  });

  it('makes the bus wait while what waits behind its key is over the bound, in messages or bytes', async () => {
    const pool = new HandlerPool(4, { maxMessages: 2 });
    const { handler, open } = gated();
    for (let offset = 0; offset < 3; offset++) {
      await pool.take();
      pool.run(message(offset, 'k'), 'k', handler, ignore);
    }
    expect(pool.waiting).toBe(2);
    expect(pool.inFlight).toBe(1);
    expect(pool.tryTake()).toBe(false);
    let taken = false;
    const next = pool.take().then(() => (taken = true));
    await tick();
    expect(taken).toBe(false);
    open(0);
    await next;
    expect(pool.waiting).toBe(1);

    const bytes = new HandlerPool(4, { maxBytes: 10 });
    const big = { ...message(1, 'k'), value: Buffer.alloc(10) };
    await bytes.take();
    bytes.run(message(0, 'k'), 'k', handler, ignore);
    await bytes.take();
    bytes.run(big, 'k', handler, ignore);
    expect(bytes.tryTake()).toBe(false);
  });

  it('drains the messages waiting behind their key too', async () => {
    const pool = new HandlerPool(2);
    const { handler, started, open } = gated();
    pool.submit(message(0, 'k'), 'k', handler, ignore);
    pool.submit(message(1, 'k'), 'k', handler, ignore);
    let drained = false;
    const drain = pool.drain().then(() => (drained = true));
    await tick();
    open(0);
    await tick();
    expect(drained).toBe(false);
    expect(started).toEqual(['0', '1']);
    open(1);
    await drain;
    expect(pool.inFlight).toBe(0);
  });
});
