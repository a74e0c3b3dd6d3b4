import { Logger } from '@nestjs/common';
import type { IncomingMessage, MessageHandler } from '../bus.interface.js';
import { KeySequencer } from '../../utils/key-sequencer.js';

/** What became of one handled message. */
export type Settle = (outcome: { ok: true } | { ok: false; error: unknown }) => void | Promise<void>;

/**
 * Runs delivered messages through the handler: at most `limit` at once, messages that share a
 * key one after another (when asked), and remembers what runs so that a close can drain it.
 * Plugins acknowledge in `settle`, which still holds the slot.
 */
export class HandlerPool {
  private readonly logger = new Logger(HandlerPool.name);
  private active = 0;
  private readonly sequencer = new KeySequencer();
  private readonly running = new Set<Promise<void>>();
  private waiters: Array<() => void> = [];

  constructor(
    private readonly limit: number,
    private readonly orderByKey: boolean,
  ) {}

  /** Slots not taken. */
  get free(): number {
    return Math.max(0, this.limit - this.active);
  }

  /** Messages taken and not yet settled. */
  get inFlight(): number {
    return this.active;
  }

  /** Resolves when at least one slot is free. */
  async whenFree(): Promise<void> {
    while (this.active >= this.limit) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /**
   * Waits for free slots and takes all of them, for a plugin that pulls a batch of that size;
   * it hands back the ones it did not use with `release()`.
   */
  async reserve(): Promise<number> {
    await this.whenFree();
    const taken = this.free;
    this.active += taken;
    return taken;
  }

  /** Hands back reserved slots that were not used. */
  release(slots: number): void {
    if (slots <= 0) return;
    this.active -= slots;
    this.wake();
  }

  /**
   * Handles `message` in a slot: a new one (brokers that push, bounded by their prefetch), or one
   * taken with `reserve()` before.
   */
  run(message: IncomingMessage, handler: MessageHandler, settle: Settle, reserved = false): void {
    if (!reserved) this.active++;
    const key = this.orderByKey ? message.key : null;
    const task = this.sequencer
      .run(key, () => handler(message))
      .then(
        () => settle({ ok: true }),
        (error: unknown) => settle({ ok: false, error }),
      )
      .catch((error: unknown) => this.logger.error(`acknowledging ${message.topic}@${message.offset} failed: ${String(error)}`))
      .finally(() => {
        this.active--;
        this.wake();
      });
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once every message taken so far is settled. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
