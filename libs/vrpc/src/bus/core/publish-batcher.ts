interface Pending<T> {
  items: T[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces publishes into few sends, one send at a time: what is published while a send is
 * under way goes out together in the next one. How the first publish after a pause goes out
 * follows the traffic: after sends that carried several publishes (concurrent callers), it
 * waits for the end of the current turn of the event loop, so that everything the turn
 * publishes (replies to a fetched batch, the callers they wake) shares one request to the
 * broker; after a lone publish (one call at a time) it goes at once, as waiting would only add
 * latency. Every caller learns its own outcome.
 */
export class PublishBatcher<T> {
  private queue: Pending<T>[] = [];
  private busy = false;
  private concurrent = false;

  constructor(private readonly send: (items: T[]) => Promise<void>) {}

  publish(items: T[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      if (this.busy) return;
      this.busy = true;
      if (this.concurrent) setImmediate(() => void this.drain());
      else void this.drain();
    });
  }

  private async drain(): Promise<void> {
    let published = 0;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      published += batch.length;
      try {
        await this.send(batch.length === 1 ? batch[0].items : batch.flatMap((entry) => entry.items));
        for (const entry of batch) entry.resolve();
      } catch (error: unknown) {
        for (const entry of batch) entry.reject(error);
      }
    }
    // Several publishes in one go (together, or one behind another's send) mean concurrent callers.
    this.concurrent = published > 1;
    this.busy = false;
  }
}
