import { randomBytes } from 'node:crypto';
import { DEFAULT_REPLY_PARTITIONS, DEFAULT_REQUEST_PARTITIONS } from '@vrpc/nestjs/protocol';
import type { Admin } from 'kafkajs';
import type { RunConfig } from '../config/run-config.js';
import { freeLoopbackPort } from './free-port.js';
import { acquireBroker, connectAdmin, deleteRunTopics } from './kafka-setup.js';
import type { MachineInfo } from '../report/results.js';
import { machineInfo } from './machine-info.js';
import { Progress } from './progress.js';

/** What one bench run (unary or streaming) works with: its broker, names, admin and progress display. */
export interface BenchRun {
  startedAt: Date;
  runId: string;
  config: RunConfig;
  machine: MachineInfo;
  admin: Admin;
  progress: Progress;
  log(line: string): void;
}

/**
 * Starts a run: takes the broker (starting the local one if needed), names the run, connects an
 * admin; `measure` runs inside it, and its topics, the admin and the broker are released after,
 * whatever happens. `title` opens the progress log.
 */
export async function withBenchRun<T>(
  steps: number,
  callTimeoutMs: number,
  title: (run: BenchRun) => string,
  measure: (run: BenchRun) => Promise<T>,
): Promise<{ run: BenchRun; value: T }> {
  const startedAt = new Date();
  const progress = new Progress(steps);
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
    callTimeoutMs,
  };
  const run: BenchRun = {
    startedAt,
    runId,
    config,
    machine: machineInfo(broker.description),
    admin: await connectAdmin(broker.brokers),
    progress,
    log,
  };
  log(title(run));
  try {
    return { run, value: await measure(run) };
  } finally {
    progress.close();
    await deleteRunTopics(run.admin, runId).catch((error: unknown) => log(`could not delete the run's topics: ${String(error)}`));
    await run.admin.disconnect();
    await broker.release();
  }
}
