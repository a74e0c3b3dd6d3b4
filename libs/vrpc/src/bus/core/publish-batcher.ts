import { isFinalPublishError } from '../../errors/vrpc-publish.error.js';

interface Pending<T> {
  items: T[];
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** How big a batch may grow: `maxBytes` of what `size` counts (a lone publish over it is sent alone). */
export interface BatchLimit<T> {
  maxBytes: number;
  size: (item: T) => number;
}

/**
 * Coalesces publishes into few sends, one send at a time: what is published while a send is
 * under way goes out together in the next one, up to `limit.maxBytes` (the rest in the sends
 * after it). How the first publish after a pause goes out follows the traffic: after sends that
 * carried several publishes (concurrent callers), it waits for the end of the current turn of
 * the event loop, so that everything the turn publishes (replies to a fetched batch, the callers
 * they wake) shares one request to the broker; after a lone publish (one call at a time) it goes
 * at once, as waiting would only add latency. Every caller learns its own outcome: a send of
 * several publishes that fails with a final error (one message too large, one bad address) is
 * sent again publish by publish, so that only the faulty one fails.
 */
export class PublishBatcher<T> {
  private queue: Pending<T>[] = [];
  private busy = false;
  private concurrent = false;

  constructor(
    private readonly send: (items: T[]) => Promise<void>,
    private readonly limit?: BatchLimit<T>,
  ) {}

  publish(items: T[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const bytes = this.limit ? items.reduce((sum, item) => sum + (this.limit?.size(item) ?? 0), 0) : 0;
      this.queue.push({ items, bytes, resolve, reject });
      if (this.busy) return;
      this.busy = true;
      if (this.concurrent) setImmediate(() => void this.drain());
      else void this.drain();
    });
  }

  private async drain(): Promise<void> {
    let published = 0;
    while (this.queue.length > 0) {
      const batch = this.next();
      published += batch.length;
      try {
        await this.send(batch.length === 1 ? batch[0].items : batch.flatMap((entry) => entry.items));
        for (const entry of batch) entry.resolve();
      } catch (error: unknown) {
        if (batch.length > 1 && isFinalPublishError(error)) await this.oneByOne(batch);
        else for (const entry of batch) entry.reject(error);
      }
    }
    // Several publishes in one go (together, or one behind another's send) mean concurrent callers.
    this.concurrent = published > 1;
    this.busy = false;
  }

  /** The publishes of the next send: the oldest one, and those after it while they fit the limit. */
  private next(): Pending<T>[] {
    if (!this.limit) return this.queue.splice(0);
    let bytes = this.queue[0].bytes;
    let count = 1;
    while (count < this.queue.length && bytes + this.queue[count].bytes <= this.limit.maxBytes) bytes += this.queue[count++].bytes;
    return this.queue.splice(0, count);
  }

  private async oneByOne(batch: Pending<T>[]): Promise<void> {
    for (const entry of batch) {
      try {
        await this.send(entry.items);
        entry.resolve();
      } catch (error: unknown) {
        entry.reject(error);
      }
    }
  }
}
