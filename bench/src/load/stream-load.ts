import { Observable, Subscription, takeWhile, tap } from 'rxjs';
import { cpuBetween, processUsage } from '../child/process-usage.js';
import type { StreamBenchClient } from '../contenders/streams/stream-contender.js';
import type { StreamScenario } from '../contenders/streams/stream-registry.js';
import { checkItem, type Item, payloadOf, WrongMessageError } from '../shared/stream-items.js';

/** One measurement of the streaming bench, run in the client process. */
export interface StreamPhaseParams {
  scenario: StreamScenario;
  /** Messages in all (a concurrent phase splits them over its streams). */
  count: number;
  size: number;
  /** Streams at once (server-stream phases). */
  streams: number;
  /** Bidi echo: messages sent and not yet echoed, at most. */
  inFlight: number;
}

/** What one measurement found. */
export interface StreamLoadResult {
  scenario: StreamScenario;
  streams: number;
  /** Messages received and checked (in order, right size). */
  messages: number;
  /** Streams that failed: a transport error, or a message lost, repeated, reordered or garbled. */
  errors: number;
  firstError?: string;
  /** From the first call to the last message. */
  elapsedMs: number;
  messagesPerSecond: number;
  clientCpuUs: number;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Consumes one stream, checking every message; resolves with how many arrived, all of them or fails. */
function drain(source: Observable<Item>, count: number, size: number, onItem?: () => void): Promise<number> {
  return new Promise((resolve, reject) => {
    let expected = 1;
    source
      .pipe(
        tap((item) => {
          checkItem(item, expected, size);
          expected++;
          onItem?.();
        }),
      )
      .subscribe({
        error: reject,
        complete: () =>
          expected - 1 === count ? resolve(count) : reject(new Error(`the stream completed after ${expected - 1} of ${count} messages`)),
      });
  });
}

/**
 * Bidi echo: a request stream that sends as fast as the echoes let it (at most `inFlight`
 * unanswered), started when the transport subscribes to it.
 */
function echoOnce(client: StreamBenchClient, count: number, size: number, inFlight: number): Promise<number> {
  if (!client.echo) return Promise.reject(new Error('this contender has no bidirectional calls'));
  const payload = payloadOf(size);
  let sent = 0;
  let echoed = 0;
  let sink: { next(item: Item): void; complete(): void } | undefined;
  const pump = () => {
    while (sink && sent < count && sent - echoed < inFlight) sink.next({ seq: ++sent, payload });
    if (sink && sent === count) {
      sink.complete();
      sink = undefined;
    }
  };
  const requests = new Observable<Item>((subscriber) => {
    sink = subscriber;
    pump();
    return () => (sink = undefined);
  });
  return drain(client.echo(requests), count, size, () => {
    echoed++;
    pump();
  });
}

/** Runs one phase and reports messages per second from the first call to the last message. */
export async function runStreamPhase(client: StreamBenchClient, params: StreamPhaseParams): Promise<StreamLoadResult> {
  const { scenario, count, size, inFlight } = params;
  const streams = scenario === 'server-stream-concurrent' ? params.streams : 1;
  const before = processUsage();
  const started = performance.now();
  const calls =
    scenario === 'bidi-echo'
      ? [echoOnce(client, count, size, inFlight)]
      : Array.from({ length: streams }, () => {
          const each = Math.ceil(count / streams);
          return drain(client.serverStream({ count: each, size }), each, size);
        });
  const outcomes = await Promise.allSettled(calls);
  const elapsedMs = performance.now() - started;
  const clientCpuUs = cpuBetween(before, processUsage());
  const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  const messages = outcomes.reduce((sum, o) => sum + (o.status === 'fulfilled' ? o.value : 0), 0);
  return {
    scenario,
    streams,
    messages,
    errors: failed.length,
    firstError: failed[0] && describe(failed[0].reason),
    elapsedMs,
    messagesPerSecond: messages / (elapsedMs / 1000),
    clientCpuUs,
  };
}

/** The slow consumer: how long it reads, and how slowly. */
export interface SlowConsumerParams {
  count: number;
  size: number;
  holdMs: number;
  perMessageMs: number;
}

/** What the slow consumer saw. */
export interface SlowConsumerLoad {
  /** Messages it took (checked) before it cancelled. */
  taken: number;
  /** The stream ended before the consumer cancelled: with this error, or `completed`. */
  endedEarly?: { code?: number; message: string } | 'completed';
  /** A message was lost, repeated, reordered or garbled. */
  wrongMessage?: string;
  elapsedMs: number;
}

/**
 * Reads one long server stream, taking `perMessageMs` per message (the thread blocks, as a
 * consumer busy with each message would, without spending CPU), and cancels it after `holdMs`.
 * The time is checked at each message, since a blocked thread fires no timer.
 */
export function slowConsume(
  client: StreamBenchClient,
  { count, size, holdMs, perMessageMs }: SlowConsumerParams,
): Promise<SlowConsumerLoad> {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const started = performance.now();
  const stopAt = started + holdMs;
  return new Promise((resolve) => {
    let expected = 1;
    let done = false;
    // A stream may end during `subscribe()`: adding to a closed Subscription unsubscribes at once.
    const subscription = new Subscription();
    const finish = (outcome: Omit<SlowConsumerLoad, 'taken' | 'elapsedMs'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      subscription.unsubscribe();
      resolve({ taken: expected - 1, elapsedMs: performance.now() - started, ...outcome });
    };
    const timer = setTimeout(() => finish({}), holdMs);
    subscription.add(
      client
        .serverStream({ count, size })
        .pipe(
          takeWhile(() => performance.now() < stopAt),
          tap((item) => {
            checkItem(item, expected, size);
            expected++;
            Atomics.wait(sleeper, 0, 0, perMessageMs);
          }),
        )
        .subscribe({
          error: (error: unknown) => {
            const code = (error as { code?: unknown } | undefined)?.code;
            const message = describe(error);
            if (error instanceof WrongMessageError) finish({ wrongMessage: message });
            else finish({ endedEarly: { ...(typeof code === 'number' && { code }), message } });
          },
          complete: () => finish(expected - 1 === count ? { endedEarly: 'completed' } : {}),
        }),
    );
  });
}
