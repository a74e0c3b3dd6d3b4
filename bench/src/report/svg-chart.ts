import type { ContenderId } from '../contenders/registry.js';
import { count, ms } from './format.js';
import type { BenchResults, ContenderSummary } from './results.js';

const WIDTH = 960;
const LEFT = 250;
const RIGHT = 150;
const ROW = 34;
const COLORS: Record<ContenderId, string> = {
  vrpc: '#2563eb',
  'vrpc-signed': '#7c3aed',
  'vrpc-otel': '#0891b2',
  'vrpc-platformatic': '#1e40af',
  'vrpc-nats': '#059669',
  'vrpc-rabbitmq': '#ea580c',
  'nest-kafka': '#dc2626',
  grpc: '#16a34a',
  'raw-kafka': '#6b7280',
  'raw-kafka-vrpc-wire': '#a16207',
  'raw-kafka-otel': '#9ca3af',
  'raw-platformatic': '#374151',
};

export const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
export const text = (x: number, y: number, content: string, attrs = '') =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${attrs ? ` ${attrs}` : ''}>${esc(content)}</text>`;

interface Row {
  id: ContenderId;
  label: string;
  summary: ContenderSummary;
}

/** Latency at one in flight on a log axis: p50 dot, p50–p90 bar, p90–p99 lighter bar, whisker to max. */
function latencyPanel(rows: Row[], top: number): { svg: string[]; height: number } {
  const values = rows.flatMap((r) => [r.summary.latency.p50.median, r.summary.latency.max]).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const span = WIDTH - LEFT - RIGHT;
  const x = (v: number) => LEFT + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * span;
  const svg = [
    text(20, top + 18, 'Latency, one call in flight (ms, log scale): ● p50, bar to p90, light bar to p99, line to max', 'class="title"'),
  ];
  const y0 = top + 34;
  const height = 34 + rows.length * ROW + 26;
  for (let decade = lo; decade <= hi; decade *= 10) {
    svg.push(`<line x1="${x(decade)}" y1="${y0}" x2="${x(decade)}" y2="${y0 + rows.length * ROW}" class="grid"/>`);
    svg.push(text(x(decade), y0 + rows.length * ROW + 16, ms(decade), 'class="axis" text-anchor="middle"'));
  }
  rows.forEach((r, i) => {
    const { p50, p90, p99, max } = r.summary.latency;
    const cy = y0 + i * ROW + ROW / 2;
    const color = COLORS[r.id];
    svg.push(text(LEFT - 10, cy + 4, r.label, 'text-anchor="end"'));
    svg.push(`<line x1="${x(p50.median)}" y1="${cy}" x2="${x(max)}" y2="${cy}" stroke="${color}" stroke-width="1.5"/>`);
    svg.push(
      `<rect x="${x(p90.median)}" y="${cy - 6}" width="${Math.max(1, x(p99.median) - x(p90.median))}" height="12" fill="${color}" opacity="0.35"/>`,
    );
    svg.push(
      `<rect x="${x(p50.median)}" y="${cy - 6}" width="${Math.max(1, x(p90.median) - x(p50.median))}" height="12" fill="${color}" opacity="0.8"/>`,
    );
    svg.push(`<circle cx="${x(p50.median)}" cy="${cy}" r="5" fill="${color}" stroke="#fff" stroke-width="1.5"/>`);
    svg.push(text(WIDTH - RIGHT + 10, cy + 4, `p50 ${ms(p50.median)} · p99 ${ms(p99.median)} ms`, 'class="value"'));
  });
  return { svg, height };
}

/** Throughput per in-flight level on a linear axis, with the min–max over rounds as a whisker. */
function throughputPanel(rows: Row[], levels: number[], top: number): { svg: string[]; height: number } {
  const stats = rows.flatMap((r) => levels.map((n) => r.summary.throughput[String(n)]?.callsPerSecond.max ?? 0));
  const hi = Math.max(1, ...stats) * 1.05;
  const span = WIDTH - LEFT - RIGHT;
  const x = (v: number) => LEFT + (v / hi) * span;
  const bar = 12;
  const rowHeight = Math.max(ROW, levels.length * (bar + 4) + 10);
  const shades = levels.map((n, j) => `${j === 0 ? 'darker' : j === 1 ? 'lighter' : `bar ${j + 1}`}: ${n} in flight`).join(', ');
  const svg = [text(20, top + 18, `Throughput (calls/s), closed loop; median, line: min–max of rounds; ${shades}`, 'class="title"')];
  const y0 = top + 34;
  const height = 34 + rows.length * rowHeight + 26;
  const step = 10 ** Math.floor(Math.log10(hi / 2));
  const tick = hi / step > 10 ? step * 2 : step;
  for (let v = 0; v <= hi; v += tick) {
    svg.push(`<line x1="${x(v)}" y1="${y0}" x2="${x(v)}" y2="${y0 + rows.length * rowHeight}" class="grid"/>`);
    svg.push(text(x(v), y0 + rows.length * rowHeight + 16, count(v), 'class="axis" text-anchor="middle"'));
  }
  rows.forEach((r, i) => {
    const rowTop = y0 + i * rowHeight + 5;
    svg.push(text(LEFT - 10, rowTop + (rowHeight - 10) / 2 + 4, r.label, 'text-anchor="end"'));
    levels.forEach((n, j) => {
      const t = r.summary.throughput[String(n)]?.callsPerSecond;
      if (!t) return;
      const y = rowTop + j * (bar + 4);
      const color = COLORS[r.id];
      svg.push(
        `<rect x="${LEFT}" y="${y}" width="${Math.max(1, x(t.median) - LEFT)}" height="${bar}" fill="${color}" opacity="${(0.9 - j * 0.4).toFixed(2)}"/>`,
      );
      if (t.n > 1)
        svg.push(`<line x1="${x(t.min)}" y1="${y + bar / 2}" x2="${x(t.max)}" y2="${y + bar / 2}" stroke="#111" stroke-width="1"/>`);
      svg.push(text(x(t.max) + 6, y + bar - 2, `${count(t.median)} @${n}`, 'class="value"'));
    });
  });
  return { svg, height };
}

/** The chart the README embeds: latency distribution and throughput per contender. */
export function svgChart(results: BenchResults): string {
  const rows: Row[] = results.contenders.flatMap((c) =>
    c.summary && c.rounds.length > 0 ? [{ id: c.id, label: c.label, summary: c.summary }] : [],
  );
  const heading = 44;
  const latency = latencyPanel(rows, heading);
  const throughput = throughputPanel(rows, results.options.concurrencies, heading + latency.height + 10);
  const height = heading + latency.height + 10 + throughput.height + 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="13">`,
    '<style>.title{font-weight:600;font-size:14px}.axis{fill:#555;font-size:11px}.value{fill:#222;font-size:12px}.grid{stroke:#e5e7eb;stroke-width:1}.note{fill:#666;font-size:11px}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    text(
      20,
      26,
      `vRPC benchmark — ${results.startedAt.slice(0, 10)} — ${results.options.mode} mode, medians of ${results.options.rounds} rounds`,
      'font-size="16" font-weight="700"',
    ),
    ...latency.svg,
    ...throughput.svg,
    text(
      20,
      height - 10,
      `${results.machine.cpu}, ${results.machine.cores} cores · Node ${results.machine.node} · ${results.machine.kafka}`,
      'class="note"',
    ),
    '</svg>',
    '',
  ].join('\n');
}
