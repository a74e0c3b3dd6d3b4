/** Settles as `task` does, or rejects once `deadline` (ms since the epoch) passes first. */
export function raceDeadline<T>(task: Promise<T>, deadline: number, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in time`)), Math.max(0, deadline - Date.now()));
    timer.unref();
  });
  return Promise.race([task, expired]).finally(() => clearTimeout(timer));
}
