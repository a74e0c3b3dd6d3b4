import { setTimeout as sleep } from 'node:timers/promises';
import { status } from '@grpc/grpc-js';
import type { ProcessUsage } from '../child/process-usage.js';
import type { RunConfig } from '../config/run-config.js';
import type { StreamBenchOptions } from '../config/stream-options.js';
import type { StreamContenderId } from '../contenders/streams/stream-registry.js';
import type { SlowConsumerLoad, SlowConsumerParams } from '../load/stream-load.js';
import type { SlowConsumerResult } from '../report/stream-results.js';
import { ContenderProcesses } from './contender-processes.js';
import type { Progress } from './progress.js';

/** How long after the cancel the server's count is read again: a handler still producing was not stopped. */
const SETTLE_MS = 1_000;
const COMMAND_MS = 60_000;

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const count = (n: number) => n.toLocaleString('en');
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
const produced = (processes: ContenderProcesses<StreamContenderId>) => processes.server.command<number>('produced', undefined, COMMAND_MS);

/**
 * Why a slow consumer's outcome fails its row, if it does. A stream the server ends with
 * RESOURCE_EXHAUSTED is vRPC's documented bound on an Observable that outruns its window
 * (docs/streaming.md), a figure, not a failure; any other error is one.
 */
function failure(load: SlowConsumerLoad): string | undefined {
  if (load.wrongMessage) return load.wrongMessage;
  if (load.endedEarly && load.endedEarly !== 'completed' && load.endedEarly.code !== status.RESOURCE_EXHAUSTED)
    return load.endedEarly.message;
  if (load.taken === 0) return 'the consumer took no message';
  return undefined;
}

/**
 * The memory of a slow consumer, in a fresh server and client (so that their peak RSS is the
 * scenario's): one long server stream read at `slowPerMessageMs` per message for `slowHoldMs`,
 * then cancelled; how much the server produced against how much the client took.
 */
export async function runSlowConsumer(
  id: StreamContenderId,
  options: StreamBenchOptions,
  config: RunConfig,
  progress: Progress,
): Promise<SlowConsumerResult> {
  const params: SlowConsumerParams = {
    count: options.slowCount,
    size: options.size,
    holdMs: options.slowHoldMs,
    perMessageMs: options.slowPerMessageMs,
  };
  const tag = `slow consumer · ${id}`;
  const result: SlowConsumerResult = {
    taken: 0,
    elapsedMs: 0,
    producedAtCancel: 0,
    producedAfterSettle: 0,
    settleMs: SETTLE_MS,
    rssBefore: { client: NaN, server: NaN },
    peakRss: { client: NaN, server: NaN },
  };
  let processes: ContenderProcesses<StreamContenderId> | undefined;
  progress.start(`${tag}: ${count(params.count)} messages, read for ${params.holdMs / 1000} s`, params.holdMs);
  try {
    processes = await ContenderProcesses.start(id, config, { profile: false, exposeGc: false, kind: 'streams' });
    const before = await processes.usage();
    const producedBefore = await produced(processes);
    result.rssBefore = { client: before.client.rssBytes, server: before.server.rssBytes };
    const load = await processes.client.command<SlowConsumerLoad>('slow', params, params.holdMs + COMMAND_MS);
    Object.assign(result, load);
    result.producedAtCancel = (await produced(processes)) - producedBefore;
    await sleep(SETTLE_MS);
    result.producedAfterSettle = (await produced(processes)) - producedBefore;
    const after: { server: ProcessUsage; client: ProcessUsage } = await processes.usage();
    result.peakRss = { client: after.client.maxRssBytes, server: after.server.maxRssBytes };
    result.error = failure(load);
    const ended =
      load.endedEarly === 'completed'
        ? ' · the stream ended first'
        : load.endedEarly
          ? ` · ended ${load.endedEarly.message.split('\n')[0]}`
          : '';
    progress.finish(
      `${tag}: produced ${count(result.producedAtCancel)}, taken ${count(load.taken)}; ` +
        `peak RSS client ${mib(result.peakRss.client)} MiB, server ${mib(result.peakRss.server)} MiB${ended}${result.error ? ' · FAILED' : ''}`,
    );
  } catch (error: unknown) {
    result.error = describe(error);
    progress.finish(`${tag}: FAILED (${result.error.split('\n')[0]})`);
  } finally {
    await processes?.close();
  }
  return result;
}
