import type { BenchOptions } from '../config/bench-options.js';
import type { RunConfig } from '../config/run-config.js';
import type { LeakResult, PairUsage } from '../report/results.js';
import { ContenderProcesses } from './contender-processes.js';
import type { Progress } from './progress.js';

/** Bounded by calls; this only keeps a stuck run finite. */
const MAX_MS = 600_000;
const CONCURRENCY = 64;
/** Snapshots between the first and the last, so that a plateau shows apart from a leak. */
const STEPS = 4;

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const count = (n: number) => n.toLocaleString('en');
const zeroUsage = () => ({
  cpuUserUs: 0,
  cpuSystemUs: 0,
  rssBytes: 0,
  maxRssBytes: 0,
  heapUsedBytes: 0,
  heapTotalBytes: 0,
  externalBytes: 0,
});
const describe = (usage: PairUsage) => `RSS client ${mib(usage.client.rssBytes)} MiB, server ${mib(usage.server.rssBytes)} MiB`;

/**
 * vRPC's memory over many calls, in a fresh server and client (so that "the first calls" are
 * the first), 64 in flight, each snapshot taken after a forced GC: after `leakFirst` calls,
 * then at even steps up to `leakTotal`.
 */
export async function checkVrpcMemory(options: BenchOptions, config: RunConfig, progress: Progress): Promise<LeakResult> {
  const { leakFirst, leakTotal } = options;
  const empty = { server: zeroUsage(), client: zeroUsage() };
  const result: LeakResult = {
    firstCalls: leakFirst,
    totalCalls: leakTotal,
    errors: 0,
    afterFirst: empty,
    afterTotal: empty,
    series: [],
    clientRssGrowth: NaN,
    serverRssGrowth: NaN,
  };
  const targets = [
    leakFirst,
    ...Array.from({ length: STEPS }, (_, i) => Math.round(leakFirst + ((leakTotal - leakFirst) * (i + 1)) / STEPS)),
  ];
  let processes: ContenderProcesses | undefined;
  try {
    progress.start('memory check: starting fresh vrpc processes', 0);
    processes = await ContenderProcesses.start('vrpc', config, { profile: false, exposeGc: true });
    progress.finish('memory check: vrpc started');
    let done = 0;
    for (const target of targets) {
      progress.start(`memory check: up to ${count(target)} calls`, 0);
      const load = await processes.measure(
        { concurrency: CONCURRENCY, calls: target - done, durationMs: MAX_MS },
        MAX_MS,
        config.callTimeoutMs,
      );
      done += load.calls;
      result.errors += load.errors;
      if (load.errors > 0) result.error ??= `${load.errors} calls failed: ${load.firstError}`;
      const usage = await processes.usage(true);
      result.series.push({ calls: done, ...usage });
      if (target === targets[0]) progress.finish(`memory check: ${count(done)} calls, ${describe(usage)}`);
    }
    progress.finish(`memory check: ${count(done)} calls, ${describe(result.series[result.series.length - 1])}`);
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    progress.finish(`memory check FAILED: ${message.split('\n')[0]}`);
    result.error = message;
  } finally {
    await processes?.close();
  }
  const first = result.series[0];
  const last = result.series[result.series.length - 1];
  if (first && last && result.series.length === targets.length) {
    result.afterFirst = first;
    result.afterTotal = last;
    result.totalCalls = last.calls;
    result.clientRssGrowth = last.client.rssBytes / first.client.rssBytes - 1;
    result.serverRssGrowth = last.server.rssBytes / first.server.rssBytes - 1;
  } else {
    result.error ??= 'memory check did not finish';
  }
  return result;
}
