import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BENCH_DIR } from '../paths.js';
import { markdownReport } from './markdown-report.js';
import type { BenchResults } from './results.js';
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
 * Writes `<date>.json`, `latest.md` and `latest.svg` to bench/results/ (a full run: what the
 * README shows) or bench/results/quick/ (a quick run, not committed).
 */
export async function writeResults(results: BenchResults): Promise<WrittenFiles> {
  const dir = join(BENCH_DIR, 'results', ...(results.options.mode === 'quick' ? ['quick'] : []));
  await mkdir(dir, { recursive: true });
  const stamp = results.startedAt.replace(/:/g, '').replace(/\.\d+Z$/, 'Z');
  const files = { json: join(dir, `${stamp}.json`), markdown: join(dir, 'latest.md'), chart: join(dir, CHART_FILE) };
  await writeAtomically(files.json, `${JSON.stringify(results, null, 2)}\n`);
  await writeAtomically(files.markdown, markdownReport(results, CHART_FILE));
  await writeAtomically(files.chart, svgChart(results));
  return files;
}

/**
 * The streaming bench's files: `streams-<date>.json`, `streams-latest.md` and `streams-latest.svg`, beside the unary
 * bench's, in bench/results/ (full run) or bench/results/quick/ (quick run, not committed).
 */
export async function writeStreamResults(results: StreamBenchResults): Promise<WrittenFiles> {
  const dir = join(BENCH_DIR, 'results', ...(results.options.mode === 'quick' ? ['quick'] : []));
  await mkdir(dir, { recursive: true });
  const stamp = results.startedAt.replace(/:/g, '').replace(/\.\d+Z$/, 'Z');
  const files = {
    json: join(dir, `streams-${stamp}.json`),
    markdown: join(dir, 'streams-latest.md'),
    chart: join(dir, 'streams-latest.svg'),
  };
  await writeAtomically(files.json, `${JSON.stringify(results, null, 2)}\n`);
  await writeAtomically(files.markdown, streamMarkdownReport(results));
  await writeAtomically(files.chart, streamSvgChart(results));
  return files;
}
