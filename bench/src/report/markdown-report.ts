import type { BenchResults, ContenderResult, ContenderSummary } from './results.js';
import { count, mib, ms, spread } from './format.js';

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const header = (cells: string[]) => [row(cells), row(cells.map((_, i) => (i === 0 ? '---' : '---:')))];
const name = (c: ContenderResult & { summary: ContenderSummary }) => (c.ok ? c.label : `${c.label} ⚠️ error`);

/** The markdown report: the tables the README links to. */
export function markdownReport(results: BenchResults, chartFile: string): string {
  const { options, machine } = results;
  const measured = results.contenders.flatMap((c) => (c.summary && c.rounds.length > 0 ? [{ ...c, summary: c.summary }] : []));
  const levels = options.concurrencies;
  const lines: string[] = [
    `# vRPC benchmark — ${results.startedAt.slice(0, 10)}`,
    '',
    `\`${results.command}\` — ${options.mode} mode: ${options.rounds} rounds, each running every contender once in rotated order; ` +
      `per round ${count(options.latencyCalls)} calls at 1 in flight, then ${options.durationMs / 1000} s at each of ${levels.join(' and ')} in flight ` +
      `(closed loop), after ${options.warmupMs / 1000} s of warm-up per contender. Took ${Math.round(results.durationSeconds)} s.`,
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}. ` +
      `Broker: ${machine.kafka}. Load average at start ${machine.loadAverageAtStart.map((l) => l.toFixed(1)).join(' / ')}, ` +
      `at end ${machine.loadAverageAtEnd.map((l) => l.toFixed(1)).join(' / ')}. Server and client of each contender run as separate processes; ` +
      'all processes and the broker share the machine.',
    '',
    `Figures are medians over rounds; (min–max) is the spread over rounds; "max" is the worst single call of all rounds.`,
    '',
    `![latency and throughput per contender](${chartFile})`,
    '',
    '## Latency, one call in flight (ms)',
    '',
    ...header(['contender', 'p50', 'p90', 'p99', 'max', 'mean']),
    ...measured.map((c) => {
      const l = c.summary.latency;
      return row([name(c), spread(l.p50, ms), spread(l.p90, ms), spread(l.p99, ms), ms(l.max), ms(l.mean.median)]);
    }),
    '',
    '## Throughput (calls/s) and tail latency under load',
    '',
    ...header(['contender', ...levels.flatMap((n) => [`calls/s @ ${n}`, `p99 ms @ ${n}`])]),
    ...measured.map((c) =>
      row([
        name(c),
        ...levels.flatMap((n) => {
          const t = c.summary.throughput[String(n)];
          return [spread(t?.callsPerSecond, count), spread(t?.p99, ms)];
        }),
      ]),
    ),
    '',
    `## CPU and memory`,
    '',
    `CPU time per call at ${levels[0]} in flight (user + system, µs), and the peak RSS of each process over the whole run (MiB).`,
    '',
    ...header([
      'contender',
      'client CPU µs/call',
      'server CPU µs/call',
      'client peak RSS',
      'server peak RSS',
      'startup ms (server / client)',
    ]),
    ...measured.map((c) => {
      const s = c.summary;
      const t = s.throughput[String(levels[0])];
      return row([
        name(c),
        spread(t?.clientCpuUsPerCall, (v) => v.toFixed(0)),
        spread(t?.serverCpuUsPerCall, (v) => v.toFixed(0)),
        mib(s.peakRssBytes.client),
        mib(s.peakRssBytes.server),
        c.startup ? `${count(c.startup.serverMs)} / ${count(c.startup.clientMs)}` : '–',
      ]);
    }),
  ];
  if (results.leak && results.leak.series.length > 0) {
    const { leak } = results;
    lines.push(
      '',
      '## vRPC memory over many calls',
      '',
      `A fresh vRPC server and client, 64 in flight, snapshots after a forced GC (MiB). "Heap" is what V8 has ` +
        `reserved, "used" what live objects take; "external" is memory outside the V8 heap (Buffers).`,
      '',
      ...header(['calls', 'client RSS', 'client heap (used)', 'client external', 'server RSS', 'server heap (used)', 'server external']),
      ...leak.series.map(({ calls, client, server }) =>
        row([
          count(calls),
          mib(client.rssBytes),
          `${mib(client.heapTotalBytes)} (${mib(client.heapUsedBytes)})`,
          mib(client.externalBytes),
          mib(server.rssBytes),
          `${mib(server.heapTotalBytes)} (${mib(server.heapUsedBytes)})`,
          mib(server.externalBytes),
        ]),
      ),
    );
  }
  lines.push('', '## Targets (issue 4)', '');
  for (const check of results.targets) {
    const mark = check.holds === null ? '➖' : check.holds ? '✅' : '❌';
    lines.push(`- ${mark} ${check.target}: ${check.detail}`);
  }
  if (results.explanations.length > 0) {
    lines.push('', 'Where the gap to the floor comes from (median of per-round ratios):', '');
    for (const line of results.explanations) lines.push(`- ${line.target}: ${line.detail}`);
  }
  const failed = results.contenders.filter((c) => !c.ok);
  if (failed.length > 0) {
    lines.push('', '## Errors', '');
    for (const c of failed) lines.push(`- ${c.label}: ${(c.error ?? 'failed').split('\n')[0]}`);
  }
  return `${lines.join('\n')}\n`;
}
