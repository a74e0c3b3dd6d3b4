interface Queued<M> {
  message: M;
  sent: (error?: Error) => void;
}

/**
 * Sends a message at once when the producer is idle; messages that arrive while a send is
 * under way go together in the next one. Without this, 64 callers make 64 produce requests
 * and a floor would be no floor: it is what a tuned Kafka producer (linger) does. `send`
 * produces one batch in one request; every message of a failed batch fails with its error.
 */
export function coalescingSender<M>(send: (batch: M[]) => Promise<void>): (message: M) => Promise<void> {
  let queue: Queued<M>[] = [];
  let sending = false;
  const drain = async () => {
    sending = true;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        await send(batch.map((entry) => entry.message));
        for (const entry of batch) entry.sent();
      } catch (error: unknown) {
        const failure = error instanceof Error ? error : new Error(String(error));
        for (const entry of batch) entry.sent(failure);
      }
    }
    sending = false;
  };
  return (message) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ message, sent: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!sending) void drain();
    });
}
