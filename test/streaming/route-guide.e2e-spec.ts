import { type Client, credentials, status } from '@grpc/grpc-js';
import { ClientProxyFactory, type ClientGrpc, Transport } from '@nestjs/microservices';
import { VrpcClient } from '@vrpc/nestjs';
import { VrpcGateway } from '@vrpc/nestjs/gateway';
import { createVrpcInterceptor, type VrpcInterceptor } from '@vrpc/nestjs/interceptor';
import { from } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Feature,
  FEATURES,
  featuresIn,
  INVALID_RECTANGLE,
  type Rectangle,
  type RouteNote,
  type RouteSummary,
  sampleNotes,
  sampleRoute,
} from '../fixtures/route-guide.data.js';
import { ERROR_TRAILER, RouteGuideGrpcServer } from '../fixtures/route-guide.grpc-server.js';
import { loadRouteGuide, ROUTE_GUIDE_PROTO, ROUTE_GUIDE_SERVICE, type RouteGuideClient } from '../fixtures/route-guide.service.js';
import {
  type CallOutcome,
  grpcBidi,
  grpcClientStream,
  grpcServerStream,
  grpcUnary,
  outcome,
  type RouteGuideProcess,
  startRouteGuideProcess,
  type StreamingScope,
  streamingScope,
} from '../support/streaming.js';

// Nothing listens here: a call the interceptor let through to its channel fails UNAVAILABLE
// instead of reaching a server and passing for a vRPC answer.
const NOWHERE = '127.0.0.1:1';

// Inputs whose answers are not trivial: a rectangle holding some features but not all, a route
// touching features and empty points, notes revisiting three locations.
const SOME: Rectangle = { lo: FEATURES[11].location, hi: FEATURES[27].location };
const EMPTY_RESULT: Rectangle = { lo: { latitude: 1, longitude: 1 }, hi: { latitude: 2, longitude: 2 } };
const INVALID: Rectangle = { lo: FEATURES[5].location, hi: FEATURES[0].location };
const ROUTE = sampleRoute(25);
const NOTES = sampleNotes(12);

/** What every path must answer, checked on the direct path against the data (not hard-coded). */
function expectSane(path: string, outputs: PathOutputs): void {
  expect(outputs.features.messages, path).toEqual(featuresIn(SOME));
  expect(outputs.features.messages.length, path).toBeGreaterThan(1);
  expect(outputs.features.messages.length, path).toBeLessThan(FEATURES.length);
  expect(outputs.noFeatures).toEqual({ messages: [], end: { code: status.OK, details: '', trailers: {} } });
  expect(outputs.invalid.end.code, path).toBe(status.INVALID_ARGUMENT);
  expect(outputs.invalid.end.details, path).toBe(INVALID_RECTANGLE);
  expect(outputs.summary.messages[0]?.pointCount, path).toBe(ROUTE.length);
  expect(outputs.summary.messages[0]?.featureCount, path).toBeGreaterThan(0);
  expect(outputs.summary.messages[0]?.featureCount, path).toBeLessThan(ROUTE.length);
  // 12 notes at 3 locations: the k-th visit of a location answers k-1 earlier notes.
  expect(outputs.chat.messages.length, path).toBe(3 * (0 + 1 + 2 + 3));
}

interface PathOutputs {
  feature: CallOutcome<Feature>;
  features: CallOutcome<Feature>;
  noFeatures: CallOutcome<Feature>;
  invalid: CallOutcome<Feature>;
  summary: CallOutcome<RouteSummary>;
  chat: CallOutcome<RouteNote>;
}

/** Every method of RouteGuide through a Nest-shaped client (ClientGrpc or VrpcClient). */
async function throughService(guide: RouteGuideClient): Promise<PathOutputs> {
  return {
    feature: await outcome(guide.getFeature(FEATURES[3].location)),
    features: await outcome(guide.listFeatures(SOME)),
    noFeatures: await outcome(guide.listFeatures(EMPTY_RESULT)),
    invalid: await outcome(guide.listFeatures(INVALID)),
    summary: await outcome(guide.recordRoute(from(ROUTE))),
    chat: await outcome(guide.routeChat(from(NOTES))),
  };
}

/** Every method of RouteGuide through a plain grpc-js client. */
async function throughGrpcJs(client: Client): Promise<PathOutputs> {
  return {
    feature: await grpcUnary<Feature>(client, 'getFeature', FEATURES[3].location),
    features: await grpcServerStream<Feature>(client, 'listFeatures', SOME),
    noFeatures: await grpcServerStream<Feature>(client, 'listFeatures', EMPTY_RESULT),
    invalid: await grpcServerStream<Feature>(client, 'listFeatures', INVALID),
    summary: await grpcClientStream<RouteSummary>(client, 'recordRoute', ROUTE),
    chat: await grpcBidi<RouteNote>(client, 'routeChat', NOTES),
  };
}

describe('RouteGuide: the same results over vRPC as over direct gRPC (server in a separate process)', () => {
  const RouteGuide = loadRouteGuide();
  let scope: StreamingScope;
  let server: RouteGuideProcess;
  let vrpc: VrpcClient;
  let nestGrpc: ClientGrpc & { close(): unknown };
  let interceptor: VrpcInterceptor;
  let direct: Client;
  let intercepted: Client;

  beforeAll(async () => {
    scope = streamingScope();
    server = await startRouteGuideProcess(scope.options);
    vrpc = new VrpcClient(scope.options);
    await vrpc.connect();
    nestGrpc = ClientProxyFactory.create({
      transport: Transport.GRPC,
      options: {
        package: ROUTE_GUIDE_PROTO.package,
        protoPath: ROUTE_GUIDE_PROTO.protoPath,
        loader: ROUTE_GUIDE_PROTO.loader,
        url: server.grpcUrl,
      },
    });
    interceptor = createVrpcInterceptor({ client: vrpc, include: [ROUTE_GUIDE_SERVICE] });
    direct = new RouteGuide(server.grpcUrl, credentials.createInsecure());
    intercepted = new RouteGuide(NOWHERE, credentials.createInsecure(), { interceptors: [interceptor] });
  });

  afterAll(async () => {
    direct?.close();
    intercepted?.close();
    nestGrpc?.close();
    await vrpc?.close();
    server?.process.kill('SIGKILL');
    await server?.process.exited;
    await scope?.cleanup();
  });

  it('(a) VrpcClient.getService() answers what ClientGrpc answers, message for message', async () => {
    const straight = await throughService(nestGrpc.getService<RouteGuideClient>('RouteGuide'));
    expectSane('ClientGrpc', straight);
    const queued = await throughService(vrpc.getService<RouteGuideClient>('RouteGuide'));
    expect(queued).toEqual(straight);
  });

  it('(b) a plain grpc-js client with the interceptor answers what the same client answers without it', async () => {
    const straight = await throughGrpcJs(direct);
    expectSane('grpc-js direct', straight);
    const queued = await throughGrpcJs(intercepted);
    expect(queued).toEqual(straight);
  });
});

describe('RouteGuide through a VrpcGateway to a plain grpc-js server: the same results as calling that server directly', () => {
  const RouteGuide = loadRouteGuide();
  const target = new RouteGuideGrpcServer();
  let scope: StreamingScope;
  let gateway: VrpcGateway;
  let interceptor: VrpcInterceptor;
  let direct: Client;
  let viaGateway: Client;

  beforeAll(async () => {
    await target.start();
    // Topics of its own: the gateway must not compete with the process above for RouteGuide.
    scope = streamingScope();
    const { bus, topics, server } = scope.options;
    gateway = new VrpcGateway({ targets: { [ROUTE_GUIDE_SERVICE]: target.address }, bus, topics, groupPrefix: server?.groupPrefix });
    await gateway.start();
    interceptor = createVrpcInterceptor({ vrpc: { bus, topics, client: scope.options.client }, include: [ROUTE_GUIDE_SERVICE] });
    direct = new RouteGuide(target.address, credentials.createInsecure());
    viaGateway = new RouteGuide(NOWHERE, credentials.createInsecure(), { interceptors: [interceptor] });
  });

  afterAll(async () => {
    direct?.close();
    viaGateway?.close();
    await interceptor?.close();
    await gateway?.close();
    target.stop();
    await scope?.cleanup();
  });

  it('(c) gives every message in order, and the same status, details and trailers of an error', async () => {
    const straight = await throughGrpcJs(direct);
    expectSane('grpc-js server direct', straight);
    expect(straight.invalid.end.trailers).toEqual({ [ERROR_TRAILER]: ['empty-rectangle'] });
    const forwarded = await throughGrpcJs(viaGateway);
    expect(forwarded).toEqual(straight);
  });
});
