import { type VrpcBus, VrpcClient, type VrpcModuleOptions } from '@vrpc/nestjs';
import { afterAll, beforeAll, describe } from 'vitest';
import { ECHO_PROTO, type EchoServiceClient } from '../fixtures/echo.service.js';
import { RouteGuideController } from '../fixtures/route-guide.controller.js';
import { ROUTE_GUIDE_PROTO, ROUTE_GUIDE_SERVICE } from '../fixtures/route-guide.service.js';
import { type EchoApp, startEchoApp } from '../support/echo-app.js';
import { type CreatedNames, uniqueName } from './conformance-support.js';
import { busThroughDiScenarios } from './vrpc/bus-through-di.js';
import { callScenarios } from './vrpc/call-scenarios.js';
import { lifecycleScenarios } from './vrpc/lifecycle-scenarios.js';
import { rawTopicScenarios } from './vrpc/raw-topic-scenarios.js';
import { streamScenarios } from './vrpc/stream-scenarios.js';
import { ECHO_SERVICE, type RawTopics, type VrpcBusChoice, type VrpcScenarioContext } from './vrpc/scenario-context.js';

export type { RawTopics, TappedMessage, VrpcBusChoice } from './vrpc/scenario-context.js';

/** What options made by `scoped()` create on the broker. */
function createdBy(options: VrpcModuleOptions): CreatedNames {
  const { topics = {}, server: { groupPrefix = '' } = {} } = options;
  const requests = `${topics.requestPrefix ?? ''}${ECHO_SERVICE}`;
  // The streaming scenarios' service, and the servers' stream inboxes (`topics.streams`).
  const streamRequests = `${topics.requestPrefix ?? ''}${ROUTE_GUIDE_SERVICE}`;
  const { streams = '' } = topics as { streams?: string };
  return {
    topics: new Set([requests, streamRequests, streams, topics.replies ?? '', topics.deadLetter ?? ''].filter(Boolean)),
    subscriptions: [
      { group: `${groupPrefix}${ECHO_SERVICE}`, topic: requests },
      { group: `${groupPrefix}${ROUTE_GUIDE_SERVICE}`, topic: streamRequests },
    ],
  };
}

/** Module options with topics and groups of their own. */
function scoped(choice: VrpcBusChoice): VrpcModuleOptions {
  const scope = uniqueName('v');
  // `topics.streams` (docs/streaming.md), spread in so this compiles before the option lands.
  const streamTopics = { streams: `${scope}.streams`, streamPartitions: 4 };
  return {
    protos: [ECHO_PROTO, ROUTE_GUIDE_PROTO],
    topics: {
      requestPrefix: `${scope}.req.`,
      replies: `${scope}.replies`,
      deadLetter: `${scope}.dead`,
      requestPartitions: 4,
      replyPartitions: 4,
      ...streamTopics,
    },
    client: { timeoutMs: 15_000 },
    server: { groupPrefix: `${scope}.` },
    ...choice.options(),
  };
}

/**
 * The core vRPC scenarios (unary calls, errors, deadlines, concurrency, reply routing, streams,
 * the bus through DI) on one bus: the one suite every bus runs, from its conformance spec.
 */
export function describeVrpcOnBus(choice: VrpcBusChoice): void {
  describe(`vRPC over ${choice.name}`, () => {
    let options: VrpcModuleOptions;
    let echoApp: EchoApp;
    let echo: EchoServiceClient;
    const ctx: VrpcScenarioContext = {
      choice,
      get options() {
        return options;
      },
      get echoApp() {
        return echoApp;
      },
      get echo() {
        return echo;
      },
      // A second client instance on a connection of its own (it owns and closes that bus).
      otherClient: () =>
        choice.clientsShareOneBus
          ? new VrpcClient(options, echoApp.client.unwrap<VrpcBus>())
          : new VrpcClient({ ...options, bus: choice.create() }),
    };

    beforeAll(async () => {
      options = scoped(choice);
      echoApp = await startEchoApp(options, [RouteGuideController]);
      await echoApp.client.connect();
      echo = echoApp.client.getService<EchoServiceClient>('EchoService');
    });

    afterAll(async () => {
      await echoApp?.app.close();
      await choice.cleanup?.(createdBy(options));
    });

    describe('calls', () => callScenarios(ctx));
    describe('around a call', () => lifecycleScenarios(ctx));
    describe('streams', () => streamScenarios(ctx));
    describe.runIf(choice.raw !== undefined)('on the topics', () => rawTopicScenarios(ctx, () => choice.raw?.() as RawTopics));
  });

  describe(`vRPC over ${choice.name}, bus given through DI`, () => busThroughDiScenarios(choice, () => scoped(choice), createdBy));
}
