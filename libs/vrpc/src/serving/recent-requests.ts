/** One id this process ran, or runs, and the digests of the contents it ran with. */
interface Entry {
  id: string;
  digests: string[];
}

/** What a request met in the memory: run (a new id), a copy (skipped), or a known id with other content (run). */
export type RecentOutcome = 'ran' | 'copy' | 'other-content';

/** What one remembered id costs besides its characters (the entry, the map's slot), roughly. */
const ENTRY_OVERHEAD_BYTES = 96;
/** Contents remembered per id: an id written with ever new contents cannot grow one entry without end. */
const MAX_DIGESTS_PER_ID = 8;

/**
 * The request ids this process ran lately, each with the digest of its content
 * (`requestDigest`), to recognise a request delivered twice (a publish retried after a lost
 * acknowledgement writes it again, next to the first copy): a copy has the same id and the same
 * digest, and is dropped at once, whether the first copy runs or ran, so that copies hold no
 * worker. That is safe: on Kafka the first copy sits before it in the same partition, and the
 * commit cannot pass a first copy that runs or failed; on NATS and RabbitMQ a first copy that
 * fails is redelivered itself. A known id with another digest is not a copy, and runs: a
 * request written first with another's id cannot suppress it. Bounded by count and by bytes:
 * the oldest ids are forgotten first. Copies read by another process are not seen here.
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

  /** What the remembered ids and digests cost, roughly (two bytes a character and an overhead each). */
  get sizeBytes(): number {
    return this.bytes;
  }

  /**
   * Runs `work` unless `id` is running or ran here already with the same `digest`; resolves with
   * what happened. An empty id (a producer that sets none) names no request: its work always runs.
   */
  async once(id: string, digest: string, work: () => Promise<void>): Promise<RecentOutcome> {
    if (!id) {
      await work();
      return 'ran';
    }
    const known = this.seen.get(id);
    if (known?.digests.includes(digest)) return 'copy';
    const run = work();
    const entry = known ?? this.add(id);
    entry.digests.push(digest);
    this.bytes += 2 * digest.length;
    if (entry.digests.length > MAX_DIGESTS_PER_ID) this.bytes -= 2 * (entry.digests.shift() ?? '').length;
    while (this.seen.size > this.capacity || (this.bytes > this.maxBytes && this.seen.size > 1)) this.forgetOldest();
    if (this.order.length - this.head > 2 * this.capacity) this.compact();
    try {
      await run;
    } catch (error: unknown) {
      if (this.seen.get(id) === entry) this.forgetDigest(entry, digest);
      throw error;
    }
    return known ? 'other-content' : 'ran';
  }

  private add(id: string): Entry {
    const entry: Entry = { id, digests: [] };
    this.seen.set(id, entry);
    this.order.push(entry);
    this.bytes += 2 * id.length + ENTRY_OVERHEAD_BYTES;
    return entry;
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

  /** Forgets one content of the id (its run failed); an id left with none is forgotten. */
  private forgetDigest(entry: Entry, digest: string): void {
    const index = entry.digests.indexOf(digest);
    if (index < 0) return;
    entry.digests.splice(index, 1);
    this.bytes -= 2 * digest.length;
    if (entry.digests.length === 0) this.forget(entry);
  }

  private forget(entry: Entry): void {
    this.seen.delete(entry.id);
    this.bytes -= 2 * entry.id.length + ENTRY_OVERHEAD_BYTES;
    for (const digest of entry.digests) this.bytes -= 2 * digest.length;
    entry.digests = [];
  }

  /** Drops the entries before `head` and those no longer remembered, keeping the order. */
  private compact(): void {
    this.order = this.order.slice(this.head).filter((entry) => this.seen.get(entry.id) === entry);
    this.head = 0;
  }
}
