import { loadavg } from 'node:os';
import { parseScaleOptions, SCALE_USAGE } from './config/scale-options.js';
import { withBenchRun } from './orchestrator/bench-run.js';
import { countScaleSteps, ScalePlan } from './orchestrator/scale-plan.js';
import { type ScaleBenchResults, scaleMarkdownReport } from './report/scale-report.js';
import { writeScaleResults, writtenLines } from './report/write-results.js';

const CALL_TIMEOUT_MS = 30_000;

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
  const files = await writeScaleResults(results);
  console.log(`\n${scaleMarkdownReport(results)}`);
  console.log(writtenLines(files));
  const failed = scenarios.filter((s) => !s.ok);
  for (const scenario of failed) console.error(`\n${scenario.label} failed: ${scenario.error ?? ''}`);
  return failed.length > 0 ? 1 : 0;
}
