interface Pending<T> {
  items: T[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces publishes into few sends, so that under load many messages travel in one request
 * to the broker: publishes made in one turn of the event loop go out together once the turn's
 * callbacks have run (replies to a fetched batch, callers woken by them), and those made while
 * a send is under way go together in the next one. Every caller learns its own outcome.
 */
export class PublishBatcher<T> {
  private queue: Pending<T>[] = [];
  private scheduled = false;

  constructor(private readonly send: (items: T[]) => Promise<void>) {}

  publish(items: T[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.send(batch.length === 1 ? batch[0].items : batch.flatMap((entry) => entry.items));
        for (const entry of batch) entry.resolve();
      } catch (error: unknown) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.scheduled = false;
  }
}
