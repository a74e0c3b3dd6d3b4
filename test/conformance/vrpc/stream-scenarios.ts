import { Metadata, status } from '@grpc/grpc-js';
import { from, ReplaySubject } from 'rxjs';
import { expect, it } from 'vitest';
import { RouteGuideController } from '../../fixtures/route-guide.controller.js';
import {
  FEATURES,
  featuresIn,
  type Point,
  RouteChatRoom,
  type RouteNote,
  RouteRecorder,
  sampleNotes,
  sampleRoute,
} from '../../fixtures/route-guide.data.js';
import type { RouteGuideClient } from '../../fixtures/route-guide.service.js';
import { FAILED_AFTER_TRAILER } from '../../fixtures/route-guide.ticks.js';
import { uniqueName } from '../conformance-support.js';
import { endOf, outcome } from '../../support/stream-outcome.js';
import { waitFor } from '../../support/wait-for.js';
import type { VrpcScenarioContext } from './scenario-context.js';

const expectedSummary = (points: Point[]) => {
  const recorder = new RouteRecorder();
  for (const point of points) recorder.add(point);
  return recorder.result();
};
const expectedChat = (notes: RouteNote[]) => {
  const room = new RouteChatRoom();
  return notes.flatMap((note) => room.take(note));
};

/**
 * Streaming calls (docs/streaming.md) on one bus: RouteGuide, served by the scenario app beside
 * EchoService. Order, both half-closes, bidi replies before the caller's end, an error mid-stream
 * with its code and trailers, cancellation and the deadline, seen from both sides.
 */
export function streamScenarios(ctx: VrpcScenarioContext): void {
  const guide = () => ctx.echoApp.client.getService<RouteGuideClient>('RouteGuide');
  const ledger = () => ctx.echoApp.app.get(RouteGuideController).ticks;

  it('delivers a server stream in order, each message once, then completes', async () => {
    const ticks = await outcome(guide().ticks({ tag: uniqueName('order'), count: 300, mode: 'observable', size: 16 }));
    expect(ticks.end).toMatchObject({ code: status.OK });
    expect(ticks.messages.map((tick) => tick.index)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    const rectangle = { lo: FEATURES[11].location, hi: FEATURES[27].location };
    const features = await outcome(guide().listFeatures(rectangle));
    expect(features).toEqual({ messages: featuresIn(rectangle), end: { code: status.OK, details: '', trailers: {} } });
  });

  it('pulls a handler that returns an async function*, in order, to its end', async () => {
    const ticks = await outcome(guide().ticks({ tag: uniqueName('pulled'), count: 600, mode: 'generator', size: 16 }));
    expect(ticks.end).toMatchObject({ code: status.OK });
    expect(ticks.messages.map((tick) => tick.index)).toEqual(Array.from({ length: 600 }, (_, i) => i));
  });

  it('carries a client stream to its half-close and answers once', async () => {
    const route = sampleRoute(40);
    const summary = await outcome(guide().recordRoute(from(route)));
    expect(summary).toEqual({ messages: [expectedSummary(route)], end: { code: status.OK, details: '', trailers: {} } });
    const empty = await outcome(guide().recordRoute(from([])));
    expect(empty.messages).toEqual([{ pointCount: 0, featureCount: 0, distance: 0 }]);
  });

  it('answers a bidi stream message by message, before the caller ends its side', async () => {
    const notes = sampleNotes(15);
    const chat = await outcome(guide().routeChat(from(notes)));
    expect(chat).toEqual({ messages: expectedChat(notes), end: { code: status.OK, details: '', trailers: {} } });
    // Interleaved: the second note at a place is answered with the first while the stream is open.
    // A ReplaySubject: the test must not depend on when the client subscribes to the request stream.
    const requests = new ReplaySubject<RouteNote>();
    const replies: RouteNote[] = [];
    let completed = false;
    let failed: unknown;
    const subscription = guide()
      .routeChat(requests)
      .subscribe({
        next: (note) => replies.push(note),
        complete: () => (completed = true),
        error: (error: unknown) => ((failed = error), (completed = true)),
      });
    try {
      const place = FEATURES[0].location;
      requests.next({ location: place, message: 'first' });
      requests.next({ location: place, message: 'second' });
      await waitFor(() => replies.length === 1 || completed, 15_000);
      expect(failed === undefined ? 'open' : `${endOf(failed).code} ${endOf(failed).details}`).toBe('open');
      expect(replies).toEqual([{ location: place, message: 'first' }]);
      expect(completed).toBe(false);
      requests.complete();
      await waitFor(() => completed, 15_000);
      expect(failed).toBeUndefined();
    } finally {
      subscription.unsubscribe();
    }
  });

  it('delivers the messages before an error mid-stream, then the error with its code, details and trailers', async () => {
    const call = guide().ticks({ tag: uniqueName('fail'), count: 0, failAfter: 5, failCode: status.FAILED_PRECONDITION });
    const result = await outcome(call);
    expect(result.messages.map((tick) => tick.index)).toEqual([0, 1, 2, 3, 4]);
    expect(result.end).toEqual({
      code: status.FAILED_PRECONDITION,
      details: 'failed after 5',
      trailers: { [FAILED_AFTER_TRAILER]: ['5'] },
    });
  });

  it("stops the handler's stream within 1 s when the caller unsubscribes", async () => {
    const tag = uniqueName('cancel');
    let received = 0;
    let failed: unknown;
    const subscription = guide()
      .ticks({ tag, count: 0, intervalMs: 10 })
      .subscribe({ next: () => (received += 1), error: (error: unknown) => (failed = error) });
    await waitFor(() => received >= 10 || failed !== undefined, 15_000).catch(() => undefined);
    const unsubscribedAt = Date.now();
    subscription.unsubscribe();
    expect(failed === undefined ? 'running' : `${endOf(failed).code} ${endOf(failed).details}`).toBe('running');
    await waitFor(() => ledger().record(tag).tornDownAt > 0, 5_000).catch(() => undefined);
    const { tornDownAt } = ledger().record(tag);
    expect(tornDownAt, 'the handler was never torn down').toBeGreaterThan(0);
    expect(tornDownAt - unsubscribedAt).toBeLessThan(1_000);
  });

  it('ends an endless stream at its deadline with DEADLINE_EXCEEDED, on both sides', async () => {
    const tag = uniqueName('deadline');
    const deadline = Date.now() + 1_500;
    const result = await outcome(guide().ticks({ tag, count: 0, intervalMs: 10 }, new Metadata(), { deadline }), 15_000);
    expect(result.end.code, result.end.details).toBe(status.DEADLINE_EXCEEDED);
    expect(result.messages.length).toBeGreaterThan(10);
    await waitFor(() => ledger().record(tag).tornDownAt > 0, 5_000).catch(() => undefined);
    const { tornDownAt } = ledger().record(tag);
    expect(tornDownAt, 'the handler was never torn down').toBeGreaterThan(0);
    expect(Math.abs(tornDownAt - deadline)).toBeLessThan(1_000);
  });
}
