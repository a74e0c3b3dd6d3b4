import type { IncomingMessage, MessageHandler } from '../bus.interface.js';
import { KeySequencer } from '../../utils/key-sequencer.js';
import { Semaphore } from '../../utils/semaphore.js';

/** One subscriber of a consumer group on the in-memory bus. */
export class MemoryGroupMember {
  private readonly semaphore: Semaphore;
  private readonly sequencer = new KeySequencer();
  private readonly unacked = new Set<IncomingMessage>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly handler: MessageHandler,
    concurrency: number,
    private readonly orderByKey: boolean,
  ) {
    this.semaphore = new Semaphore(concurrency);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  deliver(message: IncomingMessage): void {
    this.unacked.add(message);
    const task = this.sequencer.run(this.orderByKey ? message.key : null, () => this.handle(message));
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }

  /** Stops, waits for messages in flight, and returns those never acknowledged. */
  async close(): Promise<IncomingMessage[]> {
    this.closed = true;
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    return [...this.unacked];
  }

  private async handle(message: IncomingMessage): Promise<void> {
    await this.semaphore.acquire();
    try {
      if (this.closed) return;
      await this.handler(message);
      this.unacked.delete(message);
    } catch {
      // Left unacknowledged: redelivered to another member when this one leaves.
    } finally {
      this.semaphore.release();
    }
  }
}
