import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { DEFAULT_REPLY_PARTITIONS, DEFAULT_REQUEST_PARTITIONS } from '@vrpc/nestjs/protocol';
import type { RunConfig } from './config/run-config.js';
import { parseStreamOptions, STREAM_USAGE } from './config/stream-options.js';
import { freeLoopbackPort } from './orchestrator/free-port.js';
import { acquireBroker, connectAdmin, createStreamRunTopics, deleteRunTopics } from './orchestrator/kafka-setup.js';
import { machineInfo } from './orchestrator/machine-info.js';
import { Progress } from './orchestrator/progress.js';
import { countStreamSteps, StreamPlan } from './orchestrator/stream-plan.js';
import { streamMarkdownReport } from './report/stream-markdown.js';
import type { StreamBenchResults, StreamContenderResult } from './report/stream-results.js';
import { summarizeStreams } from './report/stream-summary.js';
import { writeStreamResults } from './report/write-results.js';

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
  const startedAt = new Date();
  const progress = new Progress(countStreamSteps(options));
  const log = (line: string) => progress.note(line);
  const broker = await acquireBroker(log);
  process.once('SIGINT', () => {
    progress.close();
    void broker.release().finally(() => process.exit(130));
  });

  const runId = `bench-${startedAt.toISOString().slice(0, 19).replace(/\D/g, '')}-${randomBytes(2).toString('hex')}`;
  const config: RunConfig = {
    runId,
    brokers: broker.brokers,
    grpcUrl: `127.0.0.1:${await freeLoopbackPort()}`,
    requestPartitions: DEFAULT_REQUEST_PARTITIONS,
    replyPartitions: DEFAULT_REPLY_PARTITIONS,
    callTimeoutMs: STREAM_CALL_TIMEOUT_MS,
  };
  const machine = machineInfo(broker.description);
  log(`vRPC streaming bench (${options.mode}): ${options.contenders.join(', ')} · broker ${broker.brokers.join(',')} · run ${runId}`);

  const admin = await connectAdmin(broker.brokers);
  let contenders: StreamContenderResult[];
  try {
    await createStreamRunTopics(admin, config);
    contenders = await new StreamPlan(options, config, progress).run();
  } finally {
    progress.close();
    await deleteRunTopics(admin, runId).catch((error: unknown) => log(`could not delete the run's topics: ${String(error)}`));
    await admin.disconnect();
    await broker.release();
  }

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
  console.log(`Results: ${files.json}\nTable:   ${files.markdown}\nChart:   ${files.chart}`);
  const failed = contenders.filter((c) => !c.ok);
  for (const contender of failed) console.error(`\n${contender.id} failed: ${contender.error ?? ''}`);
  return failed.length > 0 ? 1 : 0;
}
