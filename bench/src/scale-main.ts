import { mkdir, rename, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseScaleOptions, SCALE_USAGE } from './config/scale-options.js';
import { withBenchRun } from './orchestrator/bench-run.js';
import { countScaleSteps, ScalePlan } from './orchestrator/scale-plan.js';
import { BENCH_DIR } from './paths.js';
import { type ScaleBenchResults, scaleMarkdownReport, scaleSvgChart } from './report/scale-report.js';

const CALL_TIMEOUT_MS = 30_000;

async function writeAtomically(path: string, content: string): Promise<void> {
  await writeFile(`${path}.tmp`, content);
  await rename(`${path}.tmp`, path);
}

/** The scale bench (`npm run bench:scale`); resolves with the exit code. */
export async function scaleBench(): Promise<number> {
  const options = parseScaleOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(SCALE_USAGE);
    return 0;
  }
  const { run, value: scenarios } = await withBenchRun(
    countScaleSteps(options),
    CALL_TIMEOUT_MS,
    ({ config, runId }) =>
      `vRPC scale bench (${options.mode}): ${options.scenarios.length} shapes · broker ${config.brokers.join(',')} · run ${runId}`,
    ({ config, progress }) => new ScalePlan(options, config, progress, CALL_TIMEOUT_MS).run(),
  );
  run.machine.loadAverageAtEnd = loadavg();
  const results: ScaleBenchResults = {
    schema: 1,
    kind: 'scale',
    startedAt: run.startedAt.toISOString(),
    durationSeconds: (Date.now() - run.startedAt.getTime()) / 1000,
    command: `npm run bench:scale${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    runId: run.runId,
    options,
    machine: run.machine,
    scenarios,
  };
  // A full run next to the unary bench's (what the README shows); a quick one under quick/, not committed.
  const dir = join(BENCH_DIR, 'results', ...(options.mode === 'quick' ? ['quick'] : []));
  await mkdir(dir, { recursive: true });
  const json = join(dir, `scale-${results.startedAt.replace(/[:.]/g, '').slice(0, 17)}Z.json`);
  await writeAtomically(json, `${JSON.stringify(results, null, 2)}\n`);
  await writeAtomically(join(dir, 'scale-latest.md'), scaleMarkdownReport(results));
  await writeAtomically(join(dir, 'scale-latest.svg'), scaleSvgChart(results));
  console.log(`\n${scaleMarkdownReport(results)}`);
  console.log(`Results: ${json}\nTable:   ${join(dir, 'scale-latest.md')}\nChart:   ${join(dir, 'scale-latest.svg')}`);
  const failed = scenarios.filter((s) => !s.ok);
  for (const scenario of failed) console.error(`\n${scenario.label} failed: ${scenario.error ?? ''}`);
  return failed.length > 0 ? 1 : 0;
}
