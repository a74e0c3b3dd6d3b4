import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BENCH_DIR } from '../paths.js';
import { markdownReport } from './markdown-report.js';
import type { BenchResults } from './results.js';
import { type ScaleBenchResults, scaleMarkdownReport, scaleSvgChart } from './scale-report.js';
import { streamMarkdownReport } from './stream-markdown.js';
import type { StreamBenchResults } from './stream-results.js';
import { streamSvgChart } from './stream-svg-chart.js';
import { svgChart } from './svg-chart.js';

/** Where a run's files went. */
export interface WrittenFiles {
  json: string;
  markdown: string;
  chart: string;
  /** The same table and chart under the name of the Node major it ran on (`node24-latest.md`…). */
  byNode: { markdown: string; chart: string };
}

async function writeAtomically(path: string, content: string): Promise<void> {
  await writeFile(`${path}.tmp`, content);
  await rename(`${path}.tmp`, path);
}

/**
 * Writes one run's `<prefix><date>.json`, and its table and chart twice: as `<prefix>latest.md`
 * and `.svg` (the newest run on any Node) and as `<prefix>node<major>-latest.md` and `.svg`
 * (the newest on this Node, so that runs on two Nodes stand side by side), to bench/results/ (a
 * full run: what the README shows) or bench/results/quick/ (a quick run, not committed).
 */
async function writeRun(
  mode: 'quick' | 'full',
  prefix: string,
  results: { startedAt: string },
  markdown: (chartFile: string) => string,
  chart: string,
): Promise<WrittenFiles> {
  const dir = join(BENCH_DIR, 'results', ...(mode === 'quick' ? ['quick'] : []));
  await mkdir(dir, { recursive: true });
  const stamp = results.startedAt.replace(/:/g, '').replace(/\.\d+Z$/, 'Z');
  const json = join(dir, `${prefix}${stamp}.json`);
  await writeAtomically(json, `${JSON.stringify(results, null, 2)}\n`);
  const written: { markdown: string; chart: string }[] = [];
  for (const name of [`${prefix}latest`, `${prefix}node${process.versions.node.split('.')[0]}-latest`]) {
    const files = { markdown: join(dir, `${name}.md`), chart: join(dir, `${name}.svg`) };
    await writeAtomically(files.markdown, markdown(`${name}.svg`));
    await writeAtomically(files.chart, chart);
    written.push(files);
  }
  return { json, ...written[0], byNode: written[1] };
}

/** The unary bench's files. */
export function writeResults(results: BenchResults): Promise<WrittenFiles> {
  return writeRun(results.options.mode, '', results, (chartFile) => markdownReport(results, chartFile), svgChart(results));
}

/** The streaming bench's files (`streams-…`), beside the unary bench's. */
export function writeStreamResults(results: StreamBenchResults): Promise<WrittenFiles> {
  return writeRun(results.options.mode, 'streams-', results, () => streamMarkdownReport(results), streamSvgChart(results));
}

/** The scale bench's files (`scale-…`), beside the unary bench's. */
export function writeScaleResults(results: ScaleBenchResults): Promise<WrittenFiles> {
  return writeRun(results.options.mode, 'scale-', results, () => scaleMarkdownReport(results), scaleSvgChart(results));
}

/** Where a run's files went, as the last lines of its output. */
export function writtenLines(files: WrittenFiles): string {
  return [
    `Results: ${files.json}`,
    `Table:   ${files.markdown} (and ${files.byNode.markdown})`,
    `Chart:   ${files.chart} (and ${files.byNode.chart})`,
  ].join('\n');
}
