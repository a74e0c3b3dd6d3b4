/**
 * Retries `task` with exponential backoff (50 ms doubling to 1 s) until it succeeds or `deadline`
 * passes; an error for which `isFinal` holds is thrown at once.
 */
export async function retryUntil<T>(
  deadline: number,
  task: () => Promise<T>,
  isFinal: (error: unknown) => boolean = () => false,
): Promise<T> {
  let delay = 50;
  for (;;) {
    try {
      return await task();
    } catch (error: unknown) {
      if (isFinal(error) || Date.now() + delay >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 1_000);
    }
  }
}
