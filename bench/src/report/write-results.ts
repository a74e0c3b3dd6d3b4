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
}

const CHART_FILE = 'latest.svg';

async function writeAtomically(path: string, content: string): Promise<void> {
  await writeFile(`${path}.tmp`, content);
  await rename(`${path}.tmp`, path);
}

/**
 * Writes one run's `<prefix><date>.json`, `<prefix>latest.md` and `<prefix>latest.svg` to
 * bench/results/ (a full run: what the README shows) or bench/results/quick/ (a quick run, not
 * committed).
 */
async function writeRun(
  mode: 'quick' | 'full',
  prefix: string,
  results: { startedAt: string },
  markdown: string,
  chart: string,
): Promise<WrittenFiles> {
  const dir = join(BENCH_DIR, 'results', ...(mode === 'quick' ? ['quick'] : []));
  await mkdir(dir, { recursive: true });
  const stamp = results.startedAt.replace(/:/g, '').replace(/\.\d+Z$/, 'Z');
  const files = {
    json: join(dir, `${prefix}${stamp}.json`),
    markdown: join(dir, `${prefix}latest.md`),
    chart: join(dir, `${prefix}${CHART_FILE}`),
  };
  await writeAtomically(files.json, `${JSON.stringify(results, null, 2)}\n`);
  await writeAtomically(files.markdown, markdown);
  await writeAtomically(files.chart, chart);
  return files;
}

/** The unary bench's files. */
export function writeResults(results: BenchResults): Promise<WrittenFiles> {
  return writeRun(results.options.mode, '', results, markdownReport(results, CHART_FILE), svgChart(results));
}

/** The streaming bench's files (`streams-…`), beside the unary bench's. */
export function writeStreamResults(results: StreamBenchResults): Promise<WrittenFiles> {
  return writeRun(results.options.mode, 'streams-', results, streamMarkdownReport(results), streamSvgChart(results));
}

/** The scale bench's files (`scale-…`), beside the unary bench's. */
export function writeScaleResults(results: ScaleBenchResults): Promise<WrittenFiles> {
  return writeRun(results.options.mode, 'scale-', results, scaleMarkdownReport(results), scaleSvgChart(results));
}
