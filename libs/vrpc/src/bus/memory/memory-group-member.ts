import type { IncomingMessage, MessageHandler, PartitionLag } from '../bus.interface.js';
import { HandlerPool } from '../core/handler-pool.js';

/** One subscriber of a consumer group on the in-memory bus. */
export class MemoryGroupMember {
  private readonly pool: HandlerPool;
  private readonly unacked = new Set<IncomingMessage>();
  private closed = false;

  constructor(
    private readonly handler: MessageHandler,
    concurrency: number,
    private readonly orderByKey: boolean,
  ) {
    this.pool = new HandlerPool(concurrency);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Messages delivered to this member and not yet acknowledged, by topic and partition. */
  lag(): PartitionLag[] {
    const counts = new Map<string, PartitionLag>();
    for (const { topic, partition } of this.unacked) {
      const key = `${topic}/${partition}`;
      const entry = counts.get(key) ?? { topic, partition, lag: 0 };
      entry.lag++;
      counts.set(key, entry);
    }
    return [...counts.values()];
  }

  deliver(message: IncomingMessage): void {
    this.unacked.add(message);
    this.pool.submit(message, this.orderByKey ? message.key : null, this.handle, acknowledge);
  }

  /** Stops, waits for messages in flight (until `deadline`), and returns those never acknowledged. */
  async close(deadline?: number): Promise<IncomingMessage[]> {
    this.closed = true;
    await this.pool.drain(deadline);
    return [...this.unacked];
  }

  /** Left unacknowledged when it fails or comes after the close: redelivered to another member. */
  private readonly handle = async (message: IncomingMessage): Promise<void> => {
    if (this.closed) return;
    await this.handler(message);
    this.unacked.delete(message);
  };
}

/** Acknowledging is `handle`'s own last step here. */
const acknowledge = () => undefined;
