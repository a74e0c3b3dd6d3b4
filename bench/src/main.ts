import { loadavg } from 'node:os';
import { parseBenchOptions, USAGE } from './config/bench-options.js';
import { withBenchRun } from './orchestrator/bench-run.js';
import { deleteRunBusTopology } from './orchestrator/bus-cleanup.js';
import { createRunTopics } from './orchestrator/kafka-setup.js';
import { countSteps, RunPlan } from './orchestrator/run-plan.js';
import { markdownReport } from './report/markdown-report.js';
import type { BenchResults } from './report/results.js';
import { summarize } from './report/summarize.js';
import { checkTargets, explainGap } from './report/targets.js';
import { writeResults, writtenLines } from './report/write-results.js';

/** Deadline of one call: long, so that a slow contender shows up as slow rather than failing. */
const CALL_TIMEOUT_MS = 60_000;

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const { run, value: outcome } = await withBenchRun(
    countSteps(options),
    CALL_TIMEOUT_MS,
    ({ config, runId }) =>
      `vRPC bench (${options.mode}): ${options.contenders.join(', ')} · broker ${config.brokers.join(',')} · run ${runId}`,
    async (current) => {
      const { admin, config, progress } = current;
      await createRunTopics(admin, config);
      try {
        return await new RunPlan(options, config, progress).run();
      } finally {
        await deleteRunBusTopology(options.contenders, config, (line) => current.log(line));
      }
    },
  );
  const { startedAt, runId, machine } = run;

  for (const contender of outcome.contenders) if (contender.rounds.length > 0) contender.summary = summarize(contender);
  machine.loadAverageAtEnd = loadavg();
  const results: BenchResults = {
    schema: 1,
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    runId,
    options,
    machine,
    contenders: outcome.contenders,
    leak: outcome.leak,
    targets: checkTargets(outcome.contenders, outcome.leak),
    explanations: explainGap(outcome.contenders),
  };
  const files = await writeResults(results);
  console.log(`\n${markdownReport(results, files.chart)}`);
  console.log(writtenLines(files));
  const failed = outcome.contenders.filter((c) => !c.ok);
  for (const contender of failed) console.error(`\n${contender.id} failed: ${contender.error ?? ''}`);
  return failed.length > 0 ? 1 : 0;
}

// `--streams`: the streaming bench (src/streams-main.ts), with its own options and results.
const entry = process.argv.includes('--streams') ? (await import('./streams-main.js')).streamBench : main;

entry().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
