import type { PhaseResult } from '../orchestrator/contender-processes.js';
import type { ContenderResult, ContenderSummary, Stat } from './results.js';

/** Median and range of values measured once per round. */
export function stat(values: number[]): Stat {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { median, min: sorted[0], max: sorted[n - 1], n };
}

const perCall = (cpuUs: number, phase: PhaseResult) => (phase.calls > 0 ? cpuUs / phase.calls : NaN);

/** A contender's figures over its rounds. */
export function summarize(result: ContenderResult): ContenderSummary {
  const latency = result.rounds.map((round) => round.latency.latency);
  const throughput: ContenderSummary['throughput'] = {};
  const levels = new Set(result.rounds.flatMap((round) => round.throughput.map((phase) => phase.concurrency)));
  for (const level of levels) {
    const phases = result.rounds.flatMap((round) => round.throughput.filter((phase) => phase.concurrency === level));
    throughput[String(level)] = {
      callsPerSecond: stat(phases.map((phase) => phase.throughput)),
      p50: stat(phases.map((phase) => phase.latency.p50)),
      p99: stat(phases.map((phase) => phase.latency.p99)),
      clientCpuUsPerCall: stat(phases.map((phase) => perCall(phase.clientCpuUs, phase))),
      serverCpuUsPerCall: stat(phases.map((phase) => perCall(phase.serverCpuUs, phase))),
    };
  }
  const { server, client } = result.final ?? {};
  const cpuSeconds = (usage: typeof server) => (usage ? (usage.cpuUserUs + usage.cpuSystemUs) / 1e6 : undefined);
  return {
    latency: {
      p50: stat(latency.map((l) => l.p50)),
      p90: stat(latency.map((l) => l.p90)),
      p99: stat(latency.map((l) => l.p99)),
      mean: stat(latency.map((l) => l.mean)),
      max: Math.max(...latency.map((l) => l.max)),
    },
    throughput,
    peakRssBytes: { client: client?.maxRssBytes, server: server?.maxRssBytes },
    cpuSeconds: { client: cpuSeconds(client), server: cpuSeconds(server) },
  };
}
