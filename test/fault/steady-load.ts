import type { VrpcCallError } from '@vrpc/nestjs';
import { firstValueFrom } from 'rxjs';
import type { EchoServiceClient } from '../fixtures/echo.service.js';

/** What a load run saw. */
export interface LoadFigures {
  sent: number;
  answered: number;
  failed: number;
  /** Failures by gRPC status code. */
  failures: Record<string, number>;
  /** Latencies of answered calls, ms. */
  latencies: number[];
  /** When each answer arrived (`performance.now()`), in order of arrival. */
  answeredAt: number[];
  /** Texts of the calls that failed. */
  failedTexts: string[];
}

export interface LoadPlan {
  /** Calls started per second. */
  rate: number;
  durationMs: number;
  deadlineMs: number;
  /** Work each handler does, ms. */
  workMs: number;
  /** Prefix of call texts; each call's text is unique. */
  tag: string;
}

/**
 * Starts calls at a steady rate for a fixed time (bounded), then waits for every one of them
 * to settle (each has a deadline, so this ends).
 */
export async function steadyLoad(echo: EchoServiceClient, plan: LoadPlan): Promise<LoadFigures> {
  const figures: LoadFigures = { sent: 0, answered: 0, failed: 0, failures: {}, latencies: [], answeredAt: [], failedTexts: [] };
  const calls: Promise<void>[] = [];
  const total = Math.floor((plan.rate * plan.durationMs) / 1000);
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / plan.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    figures.sent++;
    const callStarted = performance.now();
    calls.push(
      firstValueFrom(echo.echo({ text: `${plan.tag}-${i}`, delayMs: plan.workMs }, undefined, { timeoutMs: plan.deadlineMs })).then(
        () => {
          figures.answered++;
          const now = performance.now();
          figures.latencies.push(now - callStarted);
          figures.answeredAt.push(now);
        },
        (error: unknown) => {
          figures.failed++;
          figures.failedTexts.push(`${plan.tag}-${i}`);
          const code = String((error as VrpcCallError).code ?? 'unknown');
          figures.failures[code] = (figures.failures[code] ?? 0) + 1;
        },
      ),
    );
  }
  await Promise.all(calls);
  return figures;
}

/** The p-th percentile of `values` (0–100). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * One line of figures, as the closing notes quote them: `duplicated` counts calls executed more
 * than once, `writtenTwice` calls that a retried publish put on the request topic twice.
 */
export function describeFigures(scenario: string, figures: LoadFigures, duplicates: number, writtenTwice: number): string {
  const p99 = percentile(figures.latencies, 99).toFixed(0);
  const failures = Object.keys(figures.failures).length ? ` ${JSON.stringify(figures.failures)}` : '';
  return `[fault] ${scenario}: sent ${figures.sent}, answered ${figures.answered}, failed ${figures.failed}${failures}, duplicated ${duplicates} (written twice ${writtenTwice}), p99 ${p99} ms`;
}

/** How long after `backAt` (a `performance.now()` time) answers resumed and when the last one came, in seconds. */
export function recoveryAfter(figures: LoadFigures, backAt: number): { firstS: number; lastS: number } {
  const after = figures.answeredAt.filter((at) => at >= backAt);
  const seconds = (at: number | undefined) => (at === undefined ? Number.NaN : (at - backAt) / 1000);
  return { firstS: seconds(after[0]), lastS: seconds(after.at(-1)) };
}
