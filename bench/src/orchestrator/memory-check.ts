import type { BenchOptions } from '../config/bench-options.js';
import type { RunConfig } from '../config/run-config.js';
import type { LeakResult } from '../report/results.js';
import { ContenderProcesses } from './contender-processes.js';
import type { Progress } from './progress.js';

/** Bounded by calls; this only keeps a stuck run finite. */
const MAX_MS = 600_000;
const CONCURRENCY = 64;

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const calls = (n: number) => n.toLocaleString('en');
const zeroUsage = () => ({ cpuUserUs: 0, cpuSystemUs: 0, rssBytes: 0, maxRssBytes: 0, heapUsedBytes: 0 });

/**
 * vRPC's memory over many calls, in a fresh server and client (so that "the first calls" are
 * the first), each snapshot taken after a forced GC: RSS after `leakFirst` and after `leakTotal` calls.
 */
export async function checkVrpcMemory(options: BenchOptions, config: RunConfig, progress: Progress): Promise<LeakResult> {
  const { leakFirst, leakTotal } = options;
  const base = { firstCalls: leakFirst, totalCalls: leakTotal, errors: 0, clientRssGrowth: NaN, serverRssGrowth: NaN };
  let processes: ContenderProcesses | undefined;
  try {
    progress.start('memory check: starting fresh vrpc processes', 0);
    processes = await ContenderProcesses.start('vrpc', config, { profile: false, exposeGc: true });
    progress.finish('memory check: vrpc started');
    progress.start(`memory check: first ${calls(leakFirst)} calls`, 0);
    const first = await processes.measure({ concurrency: CONCURRENCY, calls: leakFirst, durationMs: MAX_MS }, MAX_MS, config.callTimeoutMs);
    const afterFirst = await processes.usage(true);
    progress.finish(`memory check: ${calls(first.calls)} calls, RSS client ${mib(afterFirst.client.rssBytes)} MiB, server ${mib(afterFirst.server.rssBytes)} MiB`);
    progress.start(`memory check: up to ${calls(leakTotal)} calls`, 0);
    const rest = await processes.measure({ concurrency: CONCURRENCY, calls: leakTotal - leakFirst, durationMs: MAX_MS }, MAX_MS, config.callTimeoutMs);
    const afterTotal = await processes.usage(true);
    const total = first.calls + rest.calls;
    progress.finish(`memory check: ${calls(total)} calls, RSS client ${mib(afterTotal.client.rssBytes)} MiB, server ${mib(afterTotal.server.rssBytes)} MiB`);
    const errors = first.errors + rest.errors;
    return {
      ...base,
      totalCalls: total,
      errors,
      afterFirst,
      afterTotal,
      clientRssGrowth: afterTotal.client.rssBytes / afterFirst.client.rssBytes - 1,
      serverRssGrowth: afterTotal.server.rssBytes / afterFirst.server.rssBytes - 1,
      ...(errors > 0 ? { error: `${errors} calls failed: ${first.firstError ?? rest.firstError}` } : {}),
    };
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    progress.finish(`memory check FAILED: ${message.split('\n')[0]}`);
    const empty = { server: zeroUsage(), client: zeroUsage() };
    return { ...base, afterFirst: empty, afterTotal: empty, error: message };
  } finally {
    await processes?.close();
  }
}
