interface Queued<T> {
  item: T;
  size: number;
}

/**
 * Items that share a key, one after another: the first is in hand, the later ones wait in their
 * key's queue (in arrival order) until `next` hands them out. Counts what waits, in items and
 * in bytes, so that its owner can bound it.
 */
export class KeySequencer<T> {
  private readonly queues = new Map<string, Queued<T>[]>();
  private count = 0;
  private bytes = 0;

  /** Items waiting behind the one in hand of their key. */
  get waiting(): number {
    return this.count;
  }

  /** The sizes of the waiting items, added up. */
  get waitingBytes(): number {
    return this.bytes;
  }

  /** True when no item of `key` is in hand: the caller's is, now. False: it must `wait` its turn. */
  enter(key: string): boolean {
    if (this.queues.has(key)) return false;
    this.queues.set(key, []);
    return true;
  }

  /** Queues `item` behind the one in hand of `key` (after `enter` said false). */
  wait(key: string, item: T, size: number): void {
    this.queues.get(key)?.push({ item, size });
    this.count++;
    this.bytes += size;
  }

  /** After the item in hand of `key` is done: the next one (now in hand), or undefined (the key is idle). */
  next(key: string): T | undefined {
    const queue = this.queues.get(key);
    const next = queue?.shift();
    if (next === undefined) {
      this.queues.delete(key);
      return undefined;
    }
    this.count--;
    this.bytes -= next.size;
    return next.item;
  }
}
