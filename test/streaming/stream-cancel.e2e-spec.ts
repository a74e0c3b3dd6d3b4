import { type Client, type ClientReadableStream, credentials, Metadata, status } from '@grpc/grpc-js';
import { VrpcClient } from '@vrpc/nestjs';
import { VrpcGateway } from '@vrpc/nestjs/gateway';
import { createVrpcInterceptor, type VrpcInterceptor } from '@vrpc/nestjs/interceptor';
import { RouteGuideGrpcServer } from '../fixtures/route-guide.grpc-server.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRouteGuide, ROUTE_GUIDE_SERVICE, type RouteGuideClient } from '../fixtures/route-guide.service.js';
import type { ProbeReply, Tick } from '../fixtures/route-guide.ticks.js';
import { uniqueName, waitFor } from '../support/kafka.js';
import {
  endOf,
  grpcUnary,
  type RouteGuideProcess,
  startRouteGuideProcess,
  type StreamingScope,
  streamingScope,
} from '../support/streaming.js';
import { figure } from '../support/figure.js';

// The acceptance bounds (issue 15): an unsubscribe stops the server's stream within 1 s; a
// deadline ends the call on the caller with DEADLINE_EXCEEDED and the server's stream within
// DEADLINE_SLACK_MS of the deadline.
const CANCEL_BOUND_MS = 1_000;
const DEADLINE_MS = 1_500;
const DEADLINE_SLACK_MS = 1_000;
// An endless stream, one tick every 10 ms.
const endless = (tag: string) => ({ tag, count: 0, intervalMs: 10, mode: 'observable' });

describe('cancellation and deadlines of a server stream (server in a separate process)', () => {
  const RouteGuide = loadRouteGuide();
  let scope: StreamingScope;
  let server: RouteGuideProcess;
  let vrpc: VrpcClient;
  let interceptor: VrpcInterceptor;
  let direct: Client;
  let intercepted: Client;

  /** What the server's Ticks handler recorded for `tag`, asked over the process's gRPC port (the side channel). */
  const probe = async (tag: string): Promise<ProbeReply> => {
    const { messages, end } = await grpcUnary<ProbeReply>(direct, 'probe', { tag });
    expect(end.code, end.details).toBe(status.OK);
    return messages[0];
  };

  /** Waits for the server's teardown of `tag` and returns when it happened (ms since the epoch). */
  const teardownOf = async (tag: string, withinMs: number): Promise<number> => {
    let tornDownAt = 0;
    await waitFor(async () => (tornDownAt = (await probe(tag)).tornDownAt) > 0, withinMs).catch(() => undefined);
    return tornDownAt;
  };

  beforeAll(async () => {
    scope = streamingScope();
    server = await startRouteGuideProcess(scope.options);
    vrpc = new VrpcClient(scope.options);
    await vrpc.connect();
    interceptor = createVrpcInterceptor({ client: vrpc, include: [ROUTE_GUIDE_SERVICE] });
    direct = new RouteGuide(server.grpcUrl, credentials.createInsecure());
    // Nothing listens on port 1: a call not rerouted over vRPC fails instead of passing.
    intercepted = new RouteGuide('127.0.0.1:1', credentials.createInsecure(), { interceptors: [interceptor] });
  });

  afterAll(async () => {
    direct?.close();
    intercepted?.close();
    await vrpc?.close();
    server?.process.kill('SIGKILL');
    await server?.process.exited;
    await scope?.cleanup();
  });

  /** Cancels a grpc-js call once it has received 20 ticks; resolves with the cancel time. */
  const cancelAfterTicks = (call: ClientReadableStream<Tick>): Promise<number> =>
    new Promise((resolve, reject) => {
      let received = 0;
      call.on('data', () => {
        received += 1;
        if (received !== 20) return;
        const at = Date.now();
        call.cancel();
        resolve(at);
      });
      call.on('error', (error: unknown) => {
        const { code, details } = endOf(error);
        if (code !== Number(status.CANCELLED)) reject(new Error(`the stream failed: ${code} ${details}`));
      });
      call.on('end', () => reject(new Error('the endless stream ended')));
    });

  it('reference (direct gRPC): a grpc-js cancel stops the handler within the bound, seen through the side channel', async () => {
    const tag = uniqueName('direct-cancel');
    const cancelledAt = await cancelAfterTicks((direct as unknown as { ticks(r: object): ClientReadableStream<Tick> }).ticks(endless(tag)));
    const tornDownAt = await teardownOf(tag, 5_000);
    expect(tornDownAt, 'the handler was never torn down').toBeGreaterThan(0);
    expect(figure(tornDownAt - cancelledAt, 'cancel → handler torn down')).toBeLessThan(CANCEL_BOUND_MS);
  });

  it('VrpcClient: unsubscribing mid-stream stops the server-side stream within 1 s', async () => {
    const tag = uniqueName('vrpc-cancel');
    const guide = vrpc.getService<RouteGuideClient>('RouteGuide');
    let received = 0;
    let failed: unknown;
    const subscription = guide.ticks(endless(tag)).subscribe({
      next: () => (received += 1),
      error: (error: unknown) => (failed = error),
    });
    await waitFor(() => received >= 20 || failed !== undefined, 15_000).finally(() => {
      if (received < 20) subscription.unsubscribe();
    });
    expect(failed, 'the stream failed before it was cancelled').toBeUndefined();
    const unsubscribedAt = Date.now();
    subscription.unsubscribe();
    const record = await probe(tag);
    expect(record.started).toBe(true);
    const tornDownAt = await teardownOf(tag, 5_000);
    expect(tornDownAt, 'the handler was never torn down').toBeGreaterThan(0);
    expect(figure(tornDownAt - unsubscribedAt, 'unsubscribe → handler torn down')).toBeLessThan(CANCEL_BOUND_MS);
  });

  it('grpc-js with the interceptor: call.cancel() mid-stream stops the server-side stream within 1 s', async () => {
    const tag = uniqueName('interceptor-cancel');
    const cancelledAt = await cancelAfterTicks(
      (intercepted as unknown as { ticks(r: object): ClientReadableStream<Tick> }).ticks(endless(tag)),
    );
    const tornDownAt = await teardownOf(tag, 5_000);
    expect(tornDownAt, 'the handler was never torn down').toBeGreaterThan(0);
    expect(figure(tornDownAt - cancelledAt, 'cancel → handler torn down')).toBeLessThan(CANCEL_BOUND_MS);
  });

  it('reference (direct gRPC): a deadline ends an endless stream with DEADLINE_EXCEEDED on both sides', async () => {
    const tag = uniqueName('direct-deadline');
    const deadline = Date.now() + DEADLINE_MS;
    const call = (direct as unknown as { ticks(r: object, m: Metadata, o: object): ClientReadableStream<Tick> }).ticks(
      endless(tag),
      new Metadata(),
      {
        deadline,
      },
    );
    const code = await new Promise<number>((resolve) => {
      // Bounded: a deadline that was not applied ends here, as a failure.
      const timer = setTimeout(() => (call.cancel(), resolve(-1)), DEADLINE_MS + 10_000);
      call.on('data', () => undefined);
      call.on('close', () => clearTimeout(timer));
      call.on('error', (error: unknown) => resolve(endOf(error).code));
      call.on('end', () => resolve(status.OK));
    });
    expect(code).toBe(status.DEADLINE_EXCEEDED);
    const tornDownAt = await teardownOf(tag, 5_000);
    expect(tornDownAt).toBeGreaterThan(0);
    expect(figure(Math.abs(tornDownAt - deadline), 'handler torn down, from the deadline')).toBeLessThan(DEADLINE_SLACK_MS);
  });

  it('VrpcClient: a deadline ends an endless stream with DEADLINE_EXCEEDED on the caller, and the server stream with it', async () => {
    const tag = uniqueName('vrpc-deadline');
    const deadline = Date.now() + DEADLINE_MS;
    let received = 0;
    const ended = await new Promise<{ code: number; at: number }>((resolve) => {
      // Bounded: a deadline that was not applied ends here, as a failure.
      const timer = setTimeout(() => (subscription.unsubscribe(), resolve({ code: -1, at: Date.now() })), DEADLINE_MS + 10_000);
      const subscription = vrpc
        .getService<RouteGuideClient>('RouteGuide')
        .ticks(endless(tag), new Metadata(), { deadline })
        .subscribe({
          next: () => (received += 1),
          error: (error: unknown) => (clearTimeout(timer), resolve({ code: endOf(error).code, at: Date.now() })),
          complete: () => (clearTimeout(timer), resolve({ code: status.OK, at: Date.now() })),
        });
    });
    expect(ended.code).toBe(status.DEADLINE_EXCEEDED);
    // The stream ran until the deadline, not failed at once.
    expect(received).toBeGreaterThan(10);
    expect(ended.at).toBeGreaterThanOrEqual(deadline - 50);
    expect(figure(ended.at - deadline, 'caller ended, after the deadline')).toBeLessThan(DEADLINE_SLACK_MS);
    const tornDownAt = await teardownOf(tag, 5_000);
    expect(tornDownAt, 'the handler was never torn down').toBeGreaterThan(0);
    expect(figure(Math.abs(tornDownAt - deadline), 'handler torn down, from the deadline')).toBeLessThan(DEADLINE_SLACK_MS);
  });
});

describe('cancellation and deadlines through a VrpcGateway to a plain grpc-js server', () => {
  const RouteGuide = loadRouteGuide();
  const target = new RouteGuideGrpcServer();
  let scope: StreamingScope;
  let gateway: VrpcGateway;
  let interceptor: VrpcInterceptor;
  let viaGateway: Client;

  beforeAll(async () => {
    await target.start();
    scope = streamingScope();
    const { bus, topics, server } = scope.options;
    gateway = new VrpcGateway({ targets: { [ROUTE_GUIDE_SERVICE]: target.address }, bus, topics, groupPrefix: server?.groupPrefix });
    await gateway.start();
    interceptor = createVrpcInterceptor({ vrpc: { bus, topics, client: scope.options.client }, include: [ROUTE_GUIDE_SERVICE] });
    viaGateway = new RouteGuide('127.0.0.1:1', credentials.createInsecure(), { interceptors: [interceptor] });
  });

  afterAll(async () => {
    viaGateway?.close();
    await interceptor?.close();
    await gateway?.close();
    target.stop();
    await scope?.cleanup();
  });

  const teardownAt = async (tag: string): Promise<number> => {
    await waitFor(() => target.ticks.record(tag).tornDownAt > 0, 5_000).catch(() => undefined);
    return target.ticks.record(tag).tornDownAt;
  };

  /** Cancels a call to `client` after 20 ticks; returns how long the target took to tear its stream down. */
  const cancelThrough = async (client: Client, tag: string): Promise<number> => {
    const call = (client as unknown as { ticks(r: object): ClientReadableStream<Tick> }).ticks(endless(tag));
    const cancelledAt = await new Promise<number>((resolve, reject) => {
      let received = 0;
      call.on('data', () => {
        received += 1;
        if (received !== 20) return;
        const at = Date.now();
        call.cancel();
        resolve(at);
      });
      call.on('error', (error: unknown) => {
        const { code, details } = endOf(error);
        if (code !== Number(status.CANCELLED)) reject(new Error(`the stream failed: ${code} ${details}`));
      });
    });
    const tornDownAt = await teardownAt(tag);
    expect(tornDownAt, "the target's handler was never torn down").toBeGreaterThan(0);
    return tornDownAt - cancelledAt;
  };

  it('reference (direct to the target): a grpc-js cancel tears the handler down within 1 s', async () => {
    const direct = new RouteGuide(target.address, credentials.createInsecure());
    try {
      expect(figure(await cancelThrough(direct, uniqueName('target-cancel')), 'cancel → target handler torn down')).toBeLessThan(
        CANCEL_BOUND_MS,
      );
    } finally {
      direct.close();
    }
  });

  it("a caller's cancel reaches the target's handler through the gateway within 1 s", async () => {
    expect(figure(await cancelThrough(viaGateway, uniqueName('gateway-cancel')), 'cancel → target handler torn down')).toBeLessThan(
      CANCEL_BOUND_MS,
    );
  });

  it('a deadline ends the call with DEADLINE_EXCEEDED on the caller and the target', async () => {
    const tag = uniqueName('gateway-deadline');
    const deadline = Date.now() + DEADLINE_MS;
    const call = (viaGateway as unknown as { ticks(r: object, m: Metadata, o: object): ClientReadableStream<Tick> }).ticks(
      endless(tag),
      new Metadata(),
      { deadline },
    );
    const code = await new Promise<number>((resolve) => {
      const timer = setTimeout(() => (call.cancel(), resolve(-1)), DEADLINE_MS + 10_000);
      call.on('data', () => undefined);
      call.on('close', () => clearTimeout(timer));
      call.on('error', (error: unknown) => resolve(endOf(error).code));
      call.on('end', () => resolve(status.OK));
    });
    expect(code).toBe(status.DEADLINE_EXCEEDED);
    const tornDownAt = await teardownAt(tag);
    expect(tornDownAt, "the target's handler was never torn down").toBeGreaterThan(0);
    expect(figure(Math.abs(tornDownAt - deadline), 'handler torn down, from the deadline')).toBeLessThan(DEADLINE_SLACK_MS);
  });
});
