import { Logger } from '@nestjs/common';
import type { IncomingMessage, MessageHandler } from '../bus.interface.js';
import { KeySequencer } from '../../utils/key-sequencer.js';
import { logText } from '../../utils/log-text.js';
import type { Waiting, WaitingBounds } from './handler-pool.interface.js';

/** What became of one handled message. */
export type Outcome = { ok: true } | { ok: false; error: unknown };

/** Acknowledges (or not) one handled message; the slot is held until it returns or resolves. */
export type Settle = (outcome: Outcome, message: IncomingMessage) => void | Promise<void>;

const OK: Outcome = { ok: true };
const STARTED = Promise.resolve();
const DEFAULT_MAX_WAITING_BYTES = 64 * 1024 * 1024;

/**
 * The one concurrency engine of every bus: at most `limit` handlers at once, messages that
 * share a key one after another, and a drain for `close()`. A slot is taken before a message
 * is handled (`tryTake` without a promise, `take`/`reserve` waiting, or `submit` for brokers
 * that push) and held until the message is settled; waiters are served in arrival order.
 * A message behind an earlier one of its key gives its slot back and waits in its key's queue;
 * it is handed the slot of the one before it when that one is settled, before any new message.
 * While what waits so is over its bounds, no slot is taken: the bus waits (stops fetching).
 */
export class HandlerPool {
  private readonly logger = new Logger(HandlerPool.name);
  private active = 0;
  private readonly sequencer = new KeySequencer<Waiting>();
  private readonly running = new Set<Promise<void>>();
  /** Each one takes what it waits for synchronously when woken, so no one else can take it first. */
  private readonly waiters: Array<() => void> = [];
  /** What waits behind its key is over the bounds: no slot is handed out until it is not. */
  private full = false;
  private readonly maxWaiting: number;
  private readonly maxWaitingBytes: number;

  constructor(
    private readonly limit: number,
    bounds: WaitingBounds = {},
  ) {
    this.maxWaiting = bounds.maxMessages ?? 4 * limit;
    this.maxWaitingBytes = bounds.maxBytes ?? DEFAULT_MAX_WAITING_BYTES;
  }

  /** Slots not taken. */
  get free(): number {
    return Math.max(0, this.limit - this.active);
  }

  /** Slots taken: messages in hand and not yet settled, and reserved ones. */
  get inFlight(): number {
    return this.active;
  }

  /** Messages waiting behind an earlier one of their key, holding no slot. */
  get waiting(): number {
    return this.sequencer.waiting;
  }

  /** Takes a slot if one is free now, without a promise; false otherwise (then `take()`). */
  tryTake(): boolean {
    // No need to look at the waiters: there are some only while no slot can be taken.
    if (this.active >= this.limit || this.full) return false;
    this.active++;
    return true;
  }

  /** Waits for a slot and takes it. */
  take(): Promise<void> {
    if (this.tryTake()) return Promise.resolve();
    return new Promise<void>((resolve) =>
      this.waiters.push(() => {
        this.active++;
        resolve();
      }),
    );
  }

  /**
   * Waits for free slots and takes all of them, for a plugin that pulls a batch of that size;
   * it hands back the ones it did not use with `release()`.
   */
  reserve(): Promise<number> {
    if (this.tryTake()) return Promise.resolve(this.takeRest() + 1);
    return new Promise<number>((resolve) =>
      this.waiters.push(() => {
        this.active++;
        resolve(this.takeRest() + 1);
      }),
    );
  }

  /** Hands back slots that were taken and not used. */
  release(slots = 1): void {
    if (slots <= 0) return;
    this.active -= slots;
    this.wake();
  }

  /**
   * Handles `message` in a slot taken before, after the earlier messages of `key` (`null`: no
   * order), then settles it; a handler that throws instead of rejecting counts as a rejection.
   * Behind an earlier message of its key, it gives the slot back and waits for its turn.
   */
  run(message: IncomingMessage, key: string | null, handler: MessageHandler, settle: Settle): void {
    if (key !== null && !this.sequencer.enter(key)) {
      let turn!: () => void;
      const waited = new Promise<void>((resolve) => (turn = resolve));
      this.sequencer.wait(key, { message, handler, settle, waited, turn }, sizeOf(message));
      // Tracked while it waits, so that a drain waits for it too.
      this.running.add(waited);
      this.full = this.overBounds();
      this.release();
      return;
    }
    this.start(message, key, handler, settle);
  }

  /** Takes a slot (waiting for one if none is free), then runs `message`: for brokers that push. */
  submit(message: IncomingMessage, key: string | null, handler: MessageHandler, settle: Settle): void {
    if (this.tryTake()) {
      this.run(message, key, handler, settle);
      return;
    }
    // Tracked while it waits, so that a drain waits for it too.
    const waiting: Promise<void> = this.take().then(() => {
      this.running.delete(waiting);
      this.run(message, key, handler, settle);
    });
    this.running.add(waiting);
  }

  /**
   * Resolves once every message taken so far is settled (true), or once `deadline` (ms since
   * the epoch) passes with some still unsettled (false): those are left to finish on their own,
   * and whoever waits for a slot is let through then, so that a fetch loop of a closing
   * subscription sees the close (and hands its slot back) instead of waiting forever.
   */
  async drain(deadline = Infinity): Promise<boolean> {
    while (this.running.size > 0) {
      const settled = Promise.allSettled([...this.running]);
      if (deadline === Infinity) {
        await settled;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        while (this.waiters.length > 0) this.waiters.shift()?.();
        return false;
      }
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, left)));
      await Promise.race([settled, expired]);
      clearTimeout(timer);
    }
    return true;
  }

  private start(message: IncomingMessage, key: string | null, handler: MessageHandler, settle: Settle): void {
    // A keyed handler starts a microtask later, as it always did: a bus's subscribe() that
    // receives a message at once resolves before it runs (the conformance members rely on it).
    const handled = key === null ? invoke(handler, message) : STARTED.then(() => handler(message));
    const task: Promise<void> = handled.then(
      () => this.settled(task, key, message, settle, OK),
      (error: unknown) => this.settled(task, key, message, settle, { ok: false, error }),
    );
    this.running.add(task);
  }

  private settled(
    task: Promise<void>,
    key: string | null,
    message: IncomingMessage,
    settle: Settle,
    outcome: Outcome,
  ): void | Promise<void> {
    let acknowledged: void | Promise<void> = undefined;
    try {
      acknowledged = settle(outcome, message);
    } catch (error: unknown) {
      this.settleFailed(message, error);
    }
    if (!acknowledged) return this.done(task, key);
    // The slot stays taken (and a drain waits) until the acknowledgement is through.
    return acknowledged.then(
      () => this.done(task, key),
      (error: unknown) => {
        this.settleFailed(message, error);
        this.done(task, key);
      },
    );
  }

  private done(task: Promise<void>, key: string | null): void {
    this.running.delete(task);
    const next = key === null ? undefined : this.sequencer.next(key);
    if (next === undefined) {
      this.release();
      return;
    }
    // Its key's turn: the slot passes to the next message of the key, before any new message.
    this.running.delete(next.waited);
    next.turn();
    this.start(next.message, key, next.handler, next.settle);
    if (this.full && !(this.full = this.overBounds())) this.wake();
  }

  private settleFailed(message: IncomingMessage, error: unknown): void {
    this.logger.error(`acknowledging ${logText(message.topic)}@${message.offset} failed: ${logText(String(error), 500)}`);
  }

  private overBounds(): boolean {
    return this.sequencer.waiting >= this.maxWaiting || this.sequencer.waitingBytes >= this.maxWaitingBytes;
  }

  private takeRest(): number {
    const rest = this.free;
    this.active += rest;
    return rest;
  }

  private wake(): void {
    while (this.waiters.length > 0 && this.active < this.limit && !this.full) this.waiters.shift()?.();
  }
}

/** What a waiting message holds in memory, roughly: its value and its key. */
function sizeOf(message: IncomingMessage): number {
  return message.value.length + (message.key?.length ?? 0);
}

/** Calls `handler`, turning a synchronous throw into a rejection. */
function invoke(handler: MessageHandler, message: IncomingMessage): Promise<void> {
  try {
    return handler(message);
  } catch (error: unknown) {
    // The handler's own error, as a rejection would carry it; no async wrapper on every message.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    return Promise.reject(error);
  }
}
