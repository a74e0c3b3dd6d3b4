import { type Client, credentials, Metadata, status } from '@grpc/grpc-js';
import { VrpcClient } from '@vrpc/nestjs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadRouteGuide, type RouteGuideClient } from '../fixtures/route-guide.service.js';
import type { ProbeReply } from '../fixtures/route-guide.ticks.js';
import { uniqueName, waitFor } from '../support/kafka.js';
import { type ServerProcess, startServerProcess } from '../support/server-process.js';
import { endOf, grpcUnary, startRouteGuideProcess, streamingScope, type StreamingScope } from '../support/streaming.js';
import { figure } from '../support/figure.js';

// The bounds we state (docs/streaming.md, Liveness): silence of the other side ends a call after
// livenessMs (default 5 000) plus one poll of the bus; we allow 3 s of margin on top. The call's
// own deadline is 60 s, so a call that ends within the bound was ended by liveness, not by it.
const LIVENESS_MS = 5_000;
const FAULT_BOUND_MS = LIVENESS_MS + 3_000;
const DEADLINE_MS = 60_000;
const endless = (tag: string) => ({ tag, count: 0, intervalMs: 10, mode: 'observable' });

describe('faults mid-stream: SIGKILL of the server, SIGKILL of the client (separate processes)', () => {
  const RouteGuide = loadRouteGuide();
  // A scope (topics, groups) per test: a killed server's group membership must not hold up the next test's server.
  const scopes: StreamingScope[] = [];
  const processes: ServerProcess[] = [];
  const clients: VrpcClient[] = [];
  const newScope = (): StreamingScope => {
    const scope = streamingScope({ livenessMs: LIVENESS_MS });
    scopes.push(scope);
    return scope;
  };

  const started = <T extends { process: ServerProcess } | ServerProcess>(running: T): T => {
    processes.push('process' in running ? running.process : running);
    return running;
  };

  afterEach(async () => {
    for (const running of processes.splice(0)) {
      running.kill('SIGKILL');
      await running.exited;
    }
  });

  afterAll(async () => {
    for (const client of clients) await client.close();
    for (const scope of scopes) await scope.cleanup();
  });

  it(`SIGKILL of the server mid-stream: the VrpcClient caller fails UNAVAILABLE within ${FAULT_BOUND_MS} ms`, async () => {
    const scope = newScope();
    const server = started(await startRouteGuideProcess(scope.options));
    const vrpc = new VrpcClient(scope.options);
    clients.push(vrpc);
    await vrpc.connect();
    let received = 0;
    let ended: { code: number; details: string; at: number } | undefined;
    const subscription = vrpc
      .getService<RouteGuideClient>('RouteGuide')
      .ticks(endless(uniqueName('killed-server')), new Metadata(), { timeoutMs: DEADLINE_MS })
      .subscribe({
        next: () => (received += 1),
        error: (error: unknown) => (ended = { ...endOf(error), at: Date.now() }),
        complete: () => (ended = { code: status.OK, details: 'completed', at: Date.now() }),
      });
    try {
      await waitFor(() => received >= 20 || ended !== undefined, 15_000);
      expect(ended, `the stream ended before the kill: ${ended?.code} ${ended?.details}`).toBeUndefined();
      const killedAt = Date.now();
      server.process.kill('SIGKILL');
      await waitFor(() => ended !== undefined, FAULT_BOUND_MS + 5_000).catch(() => undefined);
      expect(ended, 'the caller did not notice the dead server').toBeDefined();
      expect(ended?.code).toBe(status.UNAVAILABLE);
      expect(figure((ended?.at ?? Infinity) - killedAt, 'SIGKILL → caller UNAVAILABLE')).toBeLessThan(FAULT_BOUND_MS);
    } finally {
      subscription.unsubscribe();
    }
  });

  /** Kills a stream-client process mid-stream and returns how long the server took to tear its stream down. */
  async function serverReleaseAfterClientKill(path: 'vrpc' | 'grpc'): Promise<number> {
    const scope = newScope();
    const server = started(await startRouteGuideProcess(scope.options));
    const direct: Client = new RouteGuide(server.grpcUrl, credentials.createInsecure());
    try {
      const tag = uniqueName(`killed-${path}-client`);
      const client = started(
        await startServerProcess(new URL('../processes/stream-client.ts', import.meta.url), {
          VRPC_TEST_OPTIONS: JSON.stringify({ ...scope.options, protos: undefined }),
          VRPC_TEST_PATH: path,
          VRPC_TEST_GRPC_URL: server.grpcUrl,
          VRPC_TEST_TAG: tag,
        }),
      );
      const probe = async (): Promise<ProbeReply> => (await grpcUnary<ProbeReply>(direct, 'probe', { tag })).messages[0];
      expect((await probe()).started, 'the server never saw the stream').toBe(true);
      expect((await probe()).tornDownAt, 'the stream ended before the kill').toBe(0);
      const killedAt = Date.now();
      client.kill('SIGKILL');
      let tornDownAt = 0;
      await waitFor(async () => (tornDownAt = (await probe()).tornDownAt) > 0, FAULT_BOUND_MS + 5_000).catch(() => undefined);
      expect(tornDownAt, "the server's handler was never unsubscribed").toBeGreaterThan(0);
      return tornDownAt - killedAt;
    } finally {
      direct.close();
    }
  }

  it('reference (direct gRPC): SIGKILL of a grpc-js client mid-stream unsubscribes the handler', async () => {
    expect(figure(await serverReleaseAfterClientKill('grpc'), 'SIGKILL → handler unsubscribed')).toBeLessThan(FAULT_BOUND_MS);
  });

  it(`SIGKILL of a VrpcClient process mid-stream: the server's handler is unsubscribed within ${FAULT_BOUND_MS} ms`, async () => {
    expect(figure(await serverReleaseAfterClientKill('vrpc'), 'SIGKILL → handler unsubscribed')).toBeLessThan(FAULT_BOUND_MS);
  });
});
