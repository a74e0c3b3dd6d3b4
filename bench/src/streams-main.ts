import { loadavg } from 'node:os';
import { parseStreamOptions, STREAM_USAGE } from './config/stream-options.js';
import { withBenchRun } from './orchestrator/bench-run.js';
import { createStreamRunTopics } from './orchestrator/kafka-setup.js';
import { countStreamSteps, StreamPlan } from './orchestrator/stream-plan.js';
import { streamMarkdownReport } from './report/stream-markdown.js';
import type { StreamBenchResults, StreamContenderResult } from './report/stream-results.js';
import { summarizeStreams } from './report/stream-summary.js';
import { writeStreamResults, writtenLines } from './report/write-results.js';

/**
 * Deadline of one streaming call: it covers the whole stream, so it is long enough for the
 * slowest contender's longest stream to be measured rather than failed.
 */
const STREAM_CALL_TIMEOUT_MS = 300_000;

/** The streaming bench (`npm run bench:streams`, or `npm run bench -- --streams`); resolves with the exit code. */
export async function streamBench(): Promise<number> {
  const options = parseStreamOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(STREAM_USAGE);
    return 0;
  }
  const { run, value: contenders } = await withBenchRun(
    countStreamSteps(options),
    STREAM_CALL_TIMEOUT_MS,
    ({ config, runId }) =>
      `vRPC streaming bench (${options.mode}): ${options.contenders.join(', ')} · broker ${config.brokers.join(',')} · run ${runId}`,
    async ({ admin, config, progress }): Promise<StreamContenderResult[]> => {
      await createStreamRunTopics(admin, config);
      return new StreamPlan(options, config, progress).run();
    },
  );
  const { startedAt, runId, machine } = run;

  for (const contender of contenders) contender.summary = summarizeStreams(contender);
  machine.loadAverageAtEnd = loadavg();
  const results: StreamBenchResults = {
    schema: 1,
    kind: 'streams',
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    command: `npm run bench:streams${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    runId,
    options,
    machine,
    contenders,
  };
  const files = await writeStreamResults(results);
  console.log(`\n${streamMarkdownReport(results)}`);
  console.log(writtenLines(files));
  const failed = contenders.filter((c) => !c.ok);
  for (const contender of failed) console.error(`\n${contender.id} failed: ${contender.error ?? ''}`);
  return failed.length > 0 ? 1 : 0;
}
