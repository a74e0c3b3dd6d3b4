import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { DEFAULT_REPLY_PARTITIONS, DEFAULT_REQUEST_PARTITIONS } from '@vrpc/nestjs/protocol';
import { parseBenchOptions, USAGE } from './config/bench-options.js';
import type { RunConfig } from './config/run-config.js';
import { freeLoopbackPort } from './orchestrator/free-port.js';
import { acquireBroker, connectAdmin, createRunTopics, deleteRunTopics } from './orchestrator/kafka-setup.js';
import { machineInfo } from './orchestrator/machine-info.js';
import { Progress } from './orchestrator/progress.js';
import { countSteps, RunPlan } from './orchestrator/run-plan.js';
import { markdownReport } from './report/markdown-report.js';
import type { BenchResults } from './report/results.js';
import { summarize } from './report/summarize.js';
import { checkTargets, explainGap } from './report/targets.js';
import { writeResults } from './report/write-results.js';

/** Deadline of one call: long, so that a slow contender shows up as slow rather than failing. */
const CALL_TIMEOUT_MS = 60_000;

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const startedAt = new Date();
  const progress = new Progress(countSteps(options));
  const log = (line: string) => progress.note(line);
  const broker = await acquireBroker(log);
  process.once('SIGINT', () => {
    progress.close();
    // Children exit on their own when this process goes (their IPC channel closes).
    void broker.release().finally(() => process.exit(130));
  });

  const runId = `bench-${startedAt.toISOString().slice(0, 19).replace(/\D/g, '')}-${randomBytes(2).toString('hex')}`;
  const config: RunConfig = {
    runId,
    brokers: broker.brokers,
    grpcUrl: `127.0.0.1:${await freeLoopbackPort()}`,
    requestPartitions: DEFAULT_REQUEST_PARTITIONS,
    replyPartitions: DEFAULT_REPLY_PARTITIONS,
    callTimeoutMs: CALL_TIMEOUT_MS,
  };
  const machine = machineInfo(broker.description);
  log(`vRPC bench (${options.mode}): ${options.contenders.join(', ')} · broker ${broker.brokers.join(',')} · run ${runId}`);

  const admin = await connectAdmin(broker.brokers);
  let outcome;
  try {
    await createRunTopics(admin, config);
    outcome = await new RunPlan(options, config, progress).run();
  } finally {
    progress.close();
    await deleteRunTopics(admin, runId).catch((error: unknown) => log(`could not delete the run's topics: ${String(error)}`));
    await admin.disconnect();
    await broker.release();
  }

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
  console.log(`Results: ${files.json}\nTable:   ${files.markdown}\nChart:   ${files.chart}`);
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
