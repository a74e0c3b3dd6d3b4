interface Pending<T> {
  items: T[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces publishes made while a send is under way into one send, so that under load
 * many replies travel in one request to the broker. Every caller learns its own outcome.
 */
export class PublishBatcher<T> {
  private queue: Pending<T>[] = [];
  private sending = false;

  constructor(private readonly send: (items: T[]) => Promise<void>) {}

  publish(items: T[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.send(batch.flatMap((entry) => entry.items));
        for (const entry of batch) entry.resolve();
      } catch (error: unknown) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.sending = false;
  }
}
