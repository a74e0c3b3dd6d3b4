import { Logger } from '@nestjs/common';
import type { IncomingMessage, MessageHandler } from '../bus.interface.js';
import { KeySequencer } from '../../utils/key-sequencer.js';

/** What became of one handled message. */
export type Outcome = { ok: true } | { ok: false; error: unknown };

/** Acknowledges (or not) one handled message; the slot is held until it returns or resolves. */
export type Settle = (outcome: Outcome, message: IncomingMessage) => void | Promise<void>;

const OK: Outcome = { ok: true };

/**
 * The one concurrency engine of every bus: at most `limit` handlers at once, messages that
 * share a key one after another, and a drain for `close()`. A slot is taken before a message
 * is handled (`tryTake` without a promise, `take`/`reserve` waiting, or `submit` for brokers
 * that push) and held until the message is settled; waiters are served in arrival order.
 */
export class HandlerPool {
  private readonly logger = new Logger(HandlerPool.name);
  private active = 0;
  private readonly sequencer = new KeySequencer();
  private readonly running = new Set<Promise<void>>();
  /** Each one takes what it waits for synchronously when woken, so no one else can take it first. */
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  /** Slots not taken. */
  get free(): number {
    return Math.max(0, this.limit - this.active);
  }

  /** Slots taken: messages in hand and not yet settled, and reserved ones. */
  get inFlight(): number {
    return this.active;
  }

  /** Takes a slot if one is free now, without a promise; false otherwise (then `take()`). */
  tryTake(): boolean {
    // No need to look at the waiters: there are some only while every slot is taken.
    if (this.active >= this.limit) return false;
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
   */
  run(message: IncomingMessage, key: string | null, handler: MessageHandler, settle: Settle): void {
    const handled = key === null ? invoke(handler, message) : this.sequencer.run(key, () => handler(message));
    const task: Promise<void> = handled.then(
      () => this.settled(task, message, settle, OK),
      (error: unknown) => this.settled(task, message, settle, { ok: false, error }),
    );
    this.running.add(task);
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

  private settled(task: Promise<void>, message: IncomingMessage, settle: Settle, outcome: Outcome): void | Promise<void> {
    let acknowledged: void | Promise<void> = undefined;
    try {
      acknowledged = settle(outcome, message);
    } catch (error: unknown) {
      this.settleFailed(message, error);
    }
    if (!acknowledged) return this.done(task);
    // The slot stays taken (and a drain waits) until the acknowledgement is through.
    return acknowledged.then(
      () => this.done(task),
      (error: unknown) => {
        this.settleFailed(message, error);
        this.done(task);
      },
    );
  }

  private done(task: Promise<void>): void {
    this.running.delete(task);
    this.release();
  }

  private settleFailed(message: IncomingMessage, error: unknown): void {
    this.logger.error(`acknowledging ${message.topic}@${message.offset} failed: ${String(error)}`);
  }

  private takeRest(): number {
    const rest = this.free;
    this.active += rest;
    return rest;
  }

  private wake(): void {
    while (this.waiters.length > 0 && this.active < this.limit) this.waiters.shift()?.();
  }
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
