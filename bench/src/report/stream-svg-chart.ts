import { STREAM_SCENARIOS, type StreamContenderId, type StreamScenario } from '../contenders/streams/stream-registry.js';
import { count } from './format.js';
import type { StreamBenchResults } from './stream-results.js';
import { text } from './svg-chart.js';

const WIDTH = 960;
const LEFT = 270;
const RIGHT = 170;
const BAR = 12;
const COLORS: Record<StreamContenderId, string> = {
  vrpc: '#2563eb',
  'vrpc-observable': '#7c3aed',
  grpc: '#16a34a',
  'nest-kafka': '#dc2626',
};
const TITLES: Record<StreamScenario, string> = {
  'server-stream': 'Server stream, one stream (messages/s)',
  'server-stream-concurrent': 'Server stream, concurrent streams (messages/s, all streams)',
  'bidi-echo': 'Bidi echo (round trips/s)',
};

/** The streaming bench's chart (streams-latest.svg): messages/s per scenario and contender, median with min–max. */
export function streamSvgChart(results: StreamBenchResults): string {
  const { contenders, options, machine } = results;
  const span = WIDTH - LEFT - RIGHT;
  const svg: string[] = [];
  let y = 44;
  for (const scenario of STREAM_SCENARIOS) {
    const hi = Math.max(1, ...contenders.map((c) => c.summary?.[scenario]?.messagesPerSecond.max ?? 0)) * 1.05;
    const x = (v: number) => LEFT + (v / hi) * span;
    svg.push(text(20, y + 18, TITLES[scenario], 'class="title"'));
    y += 30;
    for (const c of contenders) {
      const s = c.summary?.[scenario]?.messagesPerSecond;
      svg.push(text(LEFT - 10, y + BAR - 2, c.label, 'text-anchor="end"'));
      if (s && c.notRun[scenario] === undefined) {
        svg.push(
          `<rect x="${LEFT}" y="${y}" width="${Math.max(1, x(s.median) - LEFT)}" height="${BAR}" fill="${COLORS[c.id]}" opacity="0.85"/>`,
        );
        if (s.n > 1)
          svg.push(`<line x1="${x(s.min)}" y1="${y + BAR / 2}" x2="${x(s.max)}" y2="${y + BAR / 2}" stroke="#111" stroke-width="1"/>`);
        svg.push(text(x(s.max) + 6, y + BAR - 2, count(s.median), 'class="value"'));
      } else {
        svg.push(text(LEFT, y + BAR - 2, c.notRun[scenario] ?? (c.ok ? 'not measured' : 'FAILED'), 'class="note"'));
      }
      y += BAR + 10;
    }
    y += 10;
  }
  const height = y + 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="13">`,
    '<style>.title{font-weight:600;font-size:14px}.value{fill:#222;font-size:12px}.note{fill:#666;font-size:11px}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    text(
      20,
      26,
      `vRPC streaming benchmark — ${results.startedAt.slice(0, 10)} — ${options.mode} mode, medians of ${options.rounds} rounds, ${options.size}-byte messages`,
      'font-size="16" font-weight="700"',
    ),
    ...svg,
    text(20, height - 10, `${machine.cpu}, ${machine.cores} cores · Node ${machine.node} · ${machine.kafka}`, 'class="note"'),
    '</svg>',
    '',
  ].join('\n');
}
