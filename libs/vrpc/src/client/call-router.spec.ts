import { status } from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RequestEnvelope, ResponseEnvelope } from '../protocol/envelope.js';
import { CallRouter, type DirectPath } from './call-router.js';
import type { VrpcFallbackRoute } from './fallback-route.interface.js';
import type { RequestParts } from './request-message.js';

const SERVICE = 'demo.Echo';

function parts(overrides: Partial<RequestParts> = {}): RequestParts {
  const now = Date.now();
  return {
    clientId: 'c',
    serviceName: SERVICE,
    method: 'Echo',
    id: 'c/1',
    payload: Buffer.from('hi'),
    deadline: now + 10_000,
    now,
    ...overrides,
  };
}

function reply(statusCode: number): ResponseEnvelope {
  return { requestId: 'c/1', payload: Buffer.alloc(0), statusCode, errorMessage: '', metadata: {}, timestamp: 0 };
}

/** How the fake bus and target behave. */
interface Behaviour {
  publish?: () => Promise<void>;
  direct?: () => Promise<ResponseEnvelope>;
}

/** Fakes of the bus publisher, the direct caller and the call registry, recording what the router does. */
function harness(route: VrpcFallbackRoute | undefined, behaviour: Behaviour = {}) {
  const { publish = () => Promise.resolve(), direct = () => Promise.resolve(reply(status.OK)) } = behaviour;
  const published: { parts: RequestParts; until: number }[] = [];
  const directCalls: RequestEnvelope[] = [];
  const settled: { reply: ResponseEnvelope; path: string }[] = [];
  const publisher = {
    publish: (sent: RequestParts, until: number) => {
      published.push({ parts: sent, until });
      return publish();
    },
  };
  const directPath: DirectPath = {
    call: (envelope) => {
      directCalls.push(envelope);
      return direct();
    },
  };
  const calls = { settle: (settledReply: ResponseEnvelope, path: 'bus' | 'direct') => void settled.push({ reply: settledReply, path }) };
  const fallback: Record<string, VrpcFallbackRoute> = route ? { [SERVICE]: route } : {};
  const router = new CallRouter(publisher, calls, fallback, route ? directPath : undefined);
  return { router, published, directCalls, settled };
}

describe('CallRouter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('without fallback routes publishes every call on the bus, retrying until its deadline', async () => {
    const { router, published, directCalls } = harness(undefined);
    const call = parts();
    await router.send(call);
    expect(published).toEqual([{ parts: call, until: call.deadline }]);
    expect(directCalls).toEqual([]);
  });

  it('publishes on the bus a call of a service that has no route of its own', async () => {
    const { router, published, directCalls } = harness({ mode: 'direct-first', address: 'localhost:1' });
    await router.send(parts({ serviceName: 'demo.Other' }));
    expect(published).toHaveLength(1);
    expect(directCalls).toEqual([]);
  });

  it('direct-first: calls the target directly and settles its reply as served directly', async () => {
    const { router, published, directCalls, settled } = harness({ mode: 'direct-first', address: 'localhost:1' });
    await router.send(parts());
    expect(directCalls).toHaveLength(1);
    expect(directCalls[0]).toMatchObject({ requestId: 'c/1', serviceName: SERVICE, methodName: 'Echo' });
    expect(settled).toEqual([{ reply: reply(status.OK), path: 'direct' }]);
    expect(published).toEqual([]);
  });

  it('direct-first: settles an error reply of a reachable target too', async () => {
    const { router, published, settled } = harness(
      { mode: 'direct-first', address: 'localhost:1' },
      { direct: () => Promise.resolve(reply(status.NOT_FOUND)) },
    );
    await router.send(parts());
    expect(settled).toEqual([{ reply: reply(status.NOT_FOUND), path: 'direct' }]);
    expect(published).toEqual([]);
  });

  it('direct-first: queues the call on the bus when the target is unreachable (UNAVAILABLE)', async () => {
    const { router, published, settled } = harness(
      { mode: 'direct-first', address: 'localhost:1' },
      { direct: () => Promise.resolve(reply(status.UNAVAILABLE)) },
    );
    const call = parts();
    await router.send(call);
    expect(published).toEqual([{ parts: call, until: call.deadline }]);
    expect(settled).toEqual([]);
  });

  it('bus-first: publishes on the bus and leaves the target alone when the bus takes the request', async () => {
    const { router, published, directCalls } = harness({ mode: 'bus-first', address: 'localhost:1', busTimeoutMs: 300 });
    await router.send(parts());
    expect(published).toEqual([{ parts: parts(), until: Date.now() + 300 }]);
    expect(directCalls).toEqual([]);
  });

  it('bus-first: calls the target directly when the bus does not take the request within busTimeoutMs', async () => {
    const { router, directCalls, settled } = harness(
      { mode: 'bus-first', address: 'localhost:1', busTimeoutMs: 300 },
      { publish: () => new Promise<void>(() => undefined) },
    );
    let done = false;
    const sent = router.send(parts()).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(299);
    expect(directCalls).toEqual([]);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sent;
    expect(directCalls).toHaveLength(1);
    expect(settled).toEqual([{ reply: reply(status.OK), path: 'direct' }]);
  });

  it('bus-first: goes direct at once when publishing fails within the budget', async () => {
    const { router, directCalls, settled } = harness(
      { mode: 'bus-first', address: 'localhost:1' },
      { publish: () => Promise.reject(new Error('broker down')) },
    );
    await router.send(parts());
    expect(directCalls).toHaveLength(1);
    expect(settled).toHaveLength(1);
  });

  it('bus-first: tries the bus for 2 s by default, and never past the deadline', async () => {
    const route: VrpcFallbackRoute = { mode: 'bus-first', address: 'localhost:1' };
    const { router, published } = harness(route);
    await router.send(parts());
    await router.send(parts({ deadline: Date.now() + 500 }));
    expect(published.map((sent) => sent.until - Date.now())).toEqual([2_000, 500]);
  });

  it('routes a one-way call (emit) as it routes calls: directly first, then the bus when the target is down', async () => {
    const up = harness({ mode: 'direct-first', address: 'localhost:1' });
    await up.router.send(parts({ oneWay: true }));
    expect(up.directCalls[0]).toMatchObject({ oneWay: true, replyTo: '' });
    expect(up.published).toEqual([]);
    const down = harness({ mode: 'direct-first', address: 'localhost:1' }, { direct: () => Promise.resolve(reply(status.UNAVAILABLE)) });
    await down.router.send(parts({ oneWay: true }));
    expect(down.published.map((sent) => sent.parts.oneWay)).toEqual([true]);
  });

  it('publishes nothing and calls nothing for a call already past its deadline', async () => {
    for (const mode of ['direct-first', 'bus-first'] as const) {
      const { router, published, directCalls, settled } = harness({ mode, address: 'localhost:1' });
      await router.send(parts({ deadline: Date.now() - 1 }));
      expect({ mode, published, directCalls, settled }).toEqual({ mode, published: [], directCalls: [], settled: [] });
    }
  });
});
