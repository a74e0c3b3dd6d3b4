// Shared by the streaming e2e tests (test/streaming/): options with topics of their own, the
// RouteGuide server process, outcome collectors for Observables and grpc-js calls, RSS samples.
import type { VrpcModuleOptions } from '@vrpc/nestjs';
import { deleteKafkaTopics } from '../conformance/cleanup.js';
import { ROUTE_GUIDE_PROTO, ROUTE_GUIDE_SERVICE } from '../fixtures/route-guide.service.js';
import { freePort } from './free-port.js';
import { testBrokers, uniqueName } from './kafka.js';
import { type ServerProcess, startServerProcess } from './server-process.js';

/** Module options for RouteGuide on the real broker, with topics (streams included) and groups of their own. */
export interface StreamingScope {
  options: VrpcModuleOptions;
  /** Deletes the topics and groups these options create. */
  cleanup(): Promise<void>;
}

/**
 * `topics.streams` and `client.streams`/`server.streams` are the options docs/streaming.md adds;
 * they are spread in (not written as literals) so this compiles before and after they land.
 */
export function streamingScope(streams: Record<string, number> = {}, client: Record<string, unknown> = {}): StreamingScope {
  const scope = uniqueName('s');
  const topics = {
    requestPrefix: `${scope}.req.`,
    replies: `${scope}.replies`,
    deadLetter: `${scope}.dead`,
    requestPartitions: 4,
    replyPartitions: 4,
  };
  const streamTopics = { streams: `${scope}.streams`, streamPartitions: 4 };
  const options: VrpcModuleOptions = {
    protos: ROUTE_GUIDE_PROTO,
    bus: { type: 'kafka', brokers: testBrokers() },
    topics: { ...topics, ...streamTopics },
    client: { timeoutMs: 30_000, ...{ streams: streams }, ...client },
    server: { groupPrefix: `${scope}.`, ...{ streams: streams } },
  };
  const requests = `${topics.requestPrefix}${ROUTE_GUIDE_SERVICE}`;
  return {
    options,
    cleanup: () =>
      deleteKafkaTopics({
        topics: new Set([requests, topics.replies, topics.deadLetter, streamTopics.streams]),
        subscriptions: [{ group: `${scope}.${ROUTE_GUIDE_SERVICE}`, topic: requests }],
      }).catch(() => undefined),
  };
}

/** The RouteGuide server process (test/processes/route-guide-server.ts): vRPC and gRPC at `grpcUrl`. */
export interface RouteGuideProcess {
  process: ServerProcess;
  grpcUrl: string;
}

export async function startRouteGuideProcess(options: VrpcModuleOptions): Promise<RouteGuideProcess> {
  const grpcUrl = `127.0.0.1:${await freePort()}`;
  // The process adds the protos itself.
  const process = await startServerProcess(new URL('../processes/route-guide-server.ts', import.meta.url), {
    VRPC_TEST_OPTIONS: JSON.stringify({ ...options, protos: undefined }),
    VRPC_TEST_GRPC_URL: grpcUrl,
  });
  return { process, grpcUrl };
}

export * from './stream-outcome.js';
