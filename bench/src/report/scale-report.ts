import type { ScaleBenchOptions } from '../config/scale-options.js';
import type { ScaleResult } from '../orchestrator/scale-plan.js';
import type { MachineInfo } from './results.js';
import { stat } from './summarize.js';
import { esc, text } from './svg-chart.js';

/** What `npm run bench:scale` writes. */
export interface ScaleBenchResults {
  schema: 1;
  kind: 'scale';
  startedAt: string;
  durationSeconds: number;
  command: string;
  runId: string;
  options: ScaleBenchOptions;
  machine: MachineInfo;
  scenarios: ScaleResult[];
}

const count = (value: number) => Math.round(value).toLocaleString('en');
const range = (values: number[], format: (v: number) => string) => {
  const s = stat(values);
  return s.n > 1 ? `${format(s.median)} (${format(s.min)}–${format(s.max)})` : format(s.median);
};
/** One figure of a shape at one load, over its rounds. */
const figures = (result: ScaleResult, concurrency: number, pick: (m: ScaleResult['rounds'][number][number]) => number) =>
  result.rounds.flatMap((round) => round.filter((m) => m.concurrency === concurrency).map(pick));

export function scaleMarkdownReport(results: ScaleBenchResults): string {
  const { options, machine } = results;
  const levels = options.concurrencies;
  const header = ['shape', ...levels.flatMap((c) => [`calls/s @ ${c}`, `p99 ms @ ${c}`]), 'CPU µs/call @ 64, clients / servers'];
  const rows = results.scenarios.map((r) => {
    if (!r.ok && r.rounds.length === 0) return [r.label, ...levels.flatMap(() => ['failed', '–']), esc(r.error?.split('\n')[0] ?? '')];
    const cpu = `${range(
      figures(r, 64, (m) => m.clientCpuUsPerCall),
      count,
    )} / ${range(
      figures(r, 64, (m) => m.serverCpuUsPerCall),
      count,
    )}`;
    return [
      r.label,
      ...levels.flatMap((c) => [
        range(
          figures(r, c, (m) => m.throughput),
          count,
        ),
        range(
          figures(r, c, (m) => m.p99),
          (v) => v.toFixed(0),
        ),
      ]),
      cpu,
    ];
  });
  return [
    `# vRPC scale bench (${options.mode})`,
    '',
    `\`${results.command}\`: vRPC over kafkajs with its defaults, ${options.rounds} round(s) of ${options.durationMs / 1000} s per load after ${options.warmupMs / 1000} s of warm-up; ` +
      `every server and client its own process, the calls in flight shared evenly among the clients. Took ${Math.round(results.durationSeconds)} s.`,
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}. Broker: ${machine.kafka}. Figures are medians over rounds (min–max).`,
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
  ].join('\n');
}

const WIDTH = 960;
const PANEL = 300;

/** One panel per aspect: calls/s at each load as the servers, the partitions or the clients grow. */
export function scaleSvgChart(results: ScaleBenchResults): string {
  const ok = results.scenarios.filter((r) => r.rounds.length > 0);
  const aspects: { title: string; key: 'servers' | 'partitions' | 'clients'; rows: ScaleResult[] }[] = [
    { title: 'server processes (8 partitions, 1 client)', key: 'servers', rows: ok.filter((r) => r.partitions === 8 && r.clients === 1) },
    { title: 'request partitions (1 server, 1 client)', key: 'partitions', rows: ok.filter((r) => r.servers === 1 && r.clients === 1) },
    { title: 'client processes (1 server, 8 partitions)', key: 'clients', rows: ok.filter((r) => r.servers === 1 && r.partitions === 8) },
  ];
  const levels = results.options.concurrencies;
  const colors = ['#2563eb', '#dc2626', '#16a34a'];
  const max = Math.max(1, ...ok.flatMap((r) => levels.flatMap((c) => figures(r, c, (m) => m.throughput))));
  const top = 50;
  const plotHeight = 200;
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${top + plotHeight + 70}" viewBox="0 0 ${WIDTH} ${top + plotHeight + 70}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="13">`,
    '<style>.title{font-weight:600;font-size:14px}.axis{fill:#555;font-size:11px}.grid{stroke:#e5e7eb;stroke-width:1}</style>',
    '<rect width="100%" height="100%" fill="white"/>',
    text(
      20,
      22,
      `vRPC calls/s as it scales (median of rounds; ${levels.map((c, i) => `${['blue', 'red', 'green'][i]}: ${c} in flight`).join(', ')})`,
      'class="title"',
    ),
  ];
  aspects.forEach((aspect, a) => {
    const left = 20 + a * (PANEL + 10) + 40;
    const width = PANEL - 60;
    const xs = [...new Set(aspect.rows.map((r) => r[aspect.key]))].sort((p, q) => p - q);
    const x = (v: number) => (xs.length < 2 ? left + width / 2 : left + (xs.indexOf(v) / (xs.length - 1)) * width);
    const y = (v: number) => top + plotHeight - (v / max) * plotHeight;
    svg.push(text(left + width / 2, top - 8, aspect.title, 'class="axis" text-anchor="middle"'));
    svg.push(`<line x1="${left}" y1="${top + plotHeight}" x2="${left + width}" y2="${top + plotHeight}" class="grid"/>`);
    for (const v of xs) svg.push(text(x(v), top + plotHeight + 16, String(v), 'class="axis" text-anchor="middle"'));
    svg.push(text(left - 6, y(max) + 4, count(max), 'class="axis" text-anchor="end"'));
    levels.forEach((c, i) => {
      const points = xs.map((v) => {
        const row = aspect.rows.find((r) => r[aspect.key] === v);
        return [x(v), y(row ? stat(figures(row, c, (m) => m.throughput)).median : 0)] as const;
      });
      svg.push(
        `<polyline fill="none" stroke="${colors[i % colors.length]}" stroke-width="2" points="${points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}"/>`,
      );
      for (const [px, py] of points)
        svg.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3" fill="${colors[i % colors.length]}"/>`);
    });
  });
  svg.push(text(20, top + plotHeight + 50, `${results.command} · ${results.startedAt} · Node ${results.machine.node}`, 'class="axis"'));
  svg.push('</svg>');
  return `${svg.join('\n')}\n`;
}
