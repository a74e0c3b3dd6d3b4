/** CPU and memory of one process at one moment. */
export interface ProcessUsage {
  /** CPU time since the process started, in µs. */
  cpuUserUs: number;
  cpuSystemUs: number;
  rssBytes: number;
  /** Highest RSS the process has had so far. */
  maxRssBytes: number;
  heapUsedBytes: number;
  /** Heap V8 has reserved (it grows its young generation under a high allocation rate). */
  heapTotalBytes: number;
  /** Memory of Buffers and other objects outside the V8 heap. */
  externalBytes: number;
}

/** This process' usage; with `gc` (and `--expose-gc`) collects garbage first, so that RSS shows what is kept. */
export function processUsage(gc = false): ProcessUsage {
  if (gc) globalThis.gc?.();
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    rssBytes: memory.rss,
    // resourceUsage() reports kilobytes.
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
  };
}

/** CPU time spent between two snapshots, in µs. */
export function cpuBetween(before: ProcessUsage, after: ProcessUsage): number {
  return after.cpuUserUs - before.cpuUserUs + (after.cpuSystemUs - before.cpuSystemUs);
}
