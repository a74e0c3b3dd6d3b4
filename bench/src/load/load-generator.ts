import { checkReply, echoRequest, type EchoReply, type EchoRequest } from '../shared/echo.js';
import { cpuBetween, processUsage } from '../child/process-usage.js';
import { LatencyRecorder, type LatencySummary } from './latency-recorder.js';

/** One closed-loop measurement: `concurrency` callers, each making its next call when the last returns. */
export interface LoadParams {
  concurrency: number;
  /** Stop starting calls after this long… */
  durationMs?: number;
  /** …or after this many calls, whichever comes first. */
  calls?: number;
}

/** What one measurement found. */
export interface LoadResult {
  concurrency: number;
  /** Calls that returned a correct reply. */
  calls: number;
  errors: number;
  firstError?: string;
  /** From the first call to the last reply. */
  elapsedMs: number;
  /** Calls completed within the measured window, per second. */
  throughput: number;
  latency: LatencySummary;
  /** CPU time of this (the client) process during the measurement, in µs. */
  clientCpuUs: number;
}

/** Hands out call numbers across measurements; starts at 1 (proto3 would drop a 0). */
export interface Sequence {
  next: number;
}

export async function runLoad(
  call: (request: EchoRequest) => Promise<EchoReply>,
  { concurrency, durationMs = Infinity, calls = Infinity }: LoadParams,
  sequence: Sequence,
): Promise<LoadResult> {
  const recorder = new LatencyRecorder();
  const before = processUsage();
  const started = performance.now();
  const stopAt = started + durationMs;
  let issued = 0;
  let completedInWindow = 0;
  let errors = 0;
  let firstError: string | undefined;

  const worker = async () => {
    while (issued < calls && performance.now() < stopAt) {
      issued++;
      const request = echoRequest(sequence.next++);
      const sent = performance.now();
      try {
        checkReply(request, await call(request));
        const done = performance.now();
        recorder.record(done - sent);
        if (done <= stopAt) completedInWindow++;
      } catch (error: unknown) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  const elapsedMs = performance.now() - started;
  // A count-bounded run ends when its last call does; a timed one at its deadline.
  const windowMs = Number.isFinite(durationMs) ? Math.min(durationMs, elapsedMs) : elapsedMs;
  const latency = recorder.summary();
  return {
    concurrency,
    calls: latency.count,
    errors,
    firstError,
    elapsedMs,
    throughput: (Number.isFinite(durationMs) ? completedInWindow : latency.count) / (windowMs / 1000),
    latency,
    clientCpuUs: cpuBetween(before, processUsage()),
  };
}
