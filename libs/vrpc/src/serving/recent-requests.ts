/** One id this process ran, or runs. */
interface Entry {
  id: string;
}

/** What one remembered id costs besides its characters (the entry, the map's slot), roughly. */
const ENTRY_OVERHEAD_BYTES = 96;

/**
 * The request ids this process ran lately, to recognise a request delivered twice (a publish
 * retried after a lost acknowledgement writes it again, next to the first copy): a copy is
 * dropped at once, whether the first copy runs or ran, so that copies hold no worker. That is
 * safe: on Kafka the first copy sits before it in the same partition, and the commit cannot
 * pass a first copy that runs or failed; on NATS and RabbitMQ a first copy that fails is
 * redelivered itself. Bounded by count and by bytes: the oldest ids are forgotten first.
 * Copies read by another process are not seen here.
 */
export class RecentRequests {
  private readonly seen = new Map<string, Entry>();
  /**
   * The entries in the order they were added, from `head` on; some may have left `seen` since
   * (a failed run). The oldest is found here: asking a Map for its first key walks over every
   * key deleted before it, which made each eviction cost thousands of steps.
   */
  private order: Entry[] = [];
  private head = 0;
  private bytes = 0;

  constructor(
    private readonly capacity = 10_000,
    private readonly maxBytes = 4 * 1024 * 1024,
  ) {}

  /** Ids remembered. */
  get size(): number {
    return this.seen.size;
  }

  /** What the remembered ids cost, roughly (two bytes a character and an overhead each). */
  get sizeBytes(): number {
    return this.bytes;
  }

  /**
   * Runs `work` unless `id` is running or ran here already; resolves with whether it ran. An
   * empty id (a producer that sets none) names no request: its work always runs.
   */
  async once(id: string, work: () => Promise<void>): Promise<boolean> {
    if (!id) {
      await work();
      return true;
    }
    if (this.seen.has(id)) return false;
    const entry: Entry = { id };
    const run = work();
    this.seen.set(id, entry);
    this.order.push(entry);
    this.bytes += cost(id);
    while (this.seen.size > this.capacity || (this.bytes > this.maxBytes && this.seen.size > 1)) this.forgetOldest();
    if (this.order.length - this.head > 2 * this.capacity) this.compact();
    try {
      await run;
    } catch (error: unknown) {
      if (this.seen.get(id) === entry) this.forget(entry);
      throw error;
    }
    return true;
  }

  /** Forgets the id added longest ago that is still remembered. */
  private forgetOldest(): void {
    while (this.head < this.order.length) {
      const oldest = this.order[this.head++];
      if (this.seen.get(oldest.id) === oldest) {
        this.forget(oldest);
        break;
      }
    }
    if (this.head >= this.capacity) this.compact();
  }

  private forget(entry: Entry): void {
    this.seen.delete(entry.id);
    this.bytes -= cost(entry.id);
  }

  /** Drops the entries before `head` and those no longer remembered, keeping the order. */
  private compact(): void {
    this.order = this.order.slice(this.head).filter((entry) => this.seen.get(entry.id) === entry);
    this.head = 0;
  }
}

function cost(id: string): number {
  return 2 * id.length + ENTRY_OVERHEAD_BYTES;
}
