import { type Client, credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type ClientGrpc, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { VrpcClient, type VrpcModuleOptions } from '@vrpc/nestjs';
import { VrpcGateway } from '@vrpc/nestjs/gateway';
import { createVrpcInterceptor, type VrpcInterceptor } from '@vrpc/nestjs/interceptor';
import { firstValueFrom, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayModule } from '../../apps/gateway/src/gateway.module.js';
import { HealthServer } from '../../apps/gateway/src/health.server.js';
import { type CalcDescription, type CalcResult, type CalcSummary, unary } from '../fixtures/calculator.client.js';
import { CALCULATOR_PROTO_PATH, CalculatorServer, loadCalculatorPackage } from '../fixtures/calculator.server.js';
import { isolatedOptions } from '../support/echo-app.js';
import { deleteNatsStreams } from '../conformance/cleanup.js';
import { uniqueName, waitFor } from '../support/kafka.js';

const CALCULATOR = 'vrpc.calc.Calculator';
const SERVER_INFO = 'vrpc.calc.ServerInfo';
const CALC_PROTO = { protoPath: CALCULATOR_PROTO_PATH, package: 'vrpc.calc', loader: { longs: Number } };

function failure(result: Promise<unknown>): Promise<ServiceError> {
  return result.then(
    () => expect.fail('the call succeeded'),
    (error: unknown) => error as ServiceError,
  );
}

describe('a plain grpc-js server behind the gateway app, called by plain grpc-js clients through the interceptor', () => {
  const target = new CalculatorServer('target');
  const directServer = new CalculatorServer('direct');
  let options: VrpcModuleOptions;
  let gatewayApp: INestApplicationContext;
  let gateway: VrpcGateway;
  let interceptor: VrpcInterceptor;
  let calculator: Client;
  let serverInfo: Client;
  let direct: Client;

  beforeAll(async () => {
    await Promise.all([target.start(0), directServer.start(0)]);
    options = isolatedOptions({ protos: CALC_PROTO, client: { timeoutMs: 10_000 } });
    gatewayApp = await NestFactory.createApplicationContext(
      GatewayModule.forRoot({
        name: 'gateway-under-test',
        health: { host: '127.0.0.1', port: 0 },
        gateway: {
          targets: { [CALCULATOR]: target.address, [SERVER_INFO]: target.address },
          bus: options.bus,
          topics: options.topics,
          groupPrefix: options.server?.groupPrefix,
          concurrency: 16,
          // Notice the restarted target quickly.
          channelOptions: { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 1_000 },
        },
      }),
      { logger: ['error', 'warn'] },
    );
    gateway = gatewayApp.get(VrpcGateway);
    // The interceptor owns its client here: the plain grpc-js app has no Nest module.
    interceptor = createVrpcInterceptor({ vrpc: options });
    const { Calculator, ServerInfo } = loadCalculatorPackage();
    // Their channels point at the other server: a call that skipped vRPC would be served by 'direct'.
    calculator = new Calculator(directServer.address, credentials.createInsecure(), { interceptors: [interceptor] });
    serverInfo = new ServerInfo(directServer.address, credentials.createInsecure(), { interceptors: [interceptor] });
    direct = new Calculator(target.address, credentials.createInsecure());
  });

  afterAll(async () => {
    for (const client of [calculator, serverInfo, direct]) client?.close();
    await interceptor?.close();
    await gatewayApp?.close();
    target.stop();
    directServer.stop();
  });

  it('gives the results a direct call gives', async () => {
    const calls: Array<[string, object]> = [
      ['add', { a: 2, b: 40 }],
      ['divide', { a: 1, b: 8 }],
      ['stats', { values: [4, -1, 2.5, 10], labels: { source: 'e2e', unit: 's' } }],
    ];
    for (const [method, request] of calls) {
      const [viaGateway, straight] = await Promise.all([
        unary<CalcResult | CalcSummary>(calculator, method, request, new Metadata()).result,
        unary<CalcResult | CalcSummary>(direct, method, request, new Metadata()).result,
      ]);
      expect(viaGateway, method).toEqual(straight);
    }
    const summary = await unary<CalcSummary>(calculator, 'stats', { values: [1, 2, 3] }, new Metadata()).result;
    expect(summary).toMatchObject({ count: 3, sum: 6, mean: 2, min: 1, max: 3, servedBy: 'target' });
  });

  it('gives the status and trailers a direct call gives, and carries request metadata', async () => {
    const [viaGateway, straight] = await Promise.all([
      failure(unary(calculator, 'divide', { a: 1, b: 0 }, new Metadata()).result),
      failure(unary(direct, 'divide', { a: 1, b: 0 }, new Metadata()).result),
    ]);
    expect({ code: viaGateway.code, details: viaGateway.details }).toEqual({ code: straight.code, details: straight.details });
    expect(viaGateway.code).toBe(status.INVALID_ARGUMENT);
    for (const key of ['x-error-field', 'x-error-bin']) expect(viaGateway.metadata.get(key), key).toEqual(straight.metadata.get(key));
    const metadata = new Metadata();
    metadata.set('x-tenant', 'acme');
    const described = await unary<CalcDescription>(serverInfo, 'describe', { metadataKey: 'x-tenant' }, metadata).result;
    expect(described).toEqual({ servedBy: 'target', metadataValue: 'acme' });
  });

  it('routes one service over vRPC and keeps another direct in the same Nest ClientGrpc', async () => {
    const mixed = createVrpcInterceptor({ client: interceptor.client, include: [CALCULATOR] });
    const client = ClientProxyFactory.create({
      transport: Transport.GRPC,
      options: {
        package: CALC_PROTO.package,
        protoPath: CALC_PROTO.protoPath,
        loader: CALC_PROTO.loader,
        url: directServer.address,
        channelOptions: { interceptors: [mixed] },
      },
    }) as unknown as ClientGrpc & { close(): void };
    try {
      const calc = client.getService<{ add(request: object): Observable<CalcResult> }>('Calculator');
      const info = client.getService<{ describe(request: object): Observable<CalcDescription> }>('ServerInfo');
      const [sum, description] = await Promise.all([firstValueFrom(calc.add({ a: 1, b: 2 })), firstValueFrom(info.describe({}))]);
      expect(sum).toEqual({ value: 3, servedBy: 'target' });
      expect(description.servedBy).toBe('direct');
      expect(directServer.calls).toEqual(['/vrpc.calc.ServerInfo/Describe']);
    } finally {
      client.close();
    }
  });

  it('answers UNAVAILABLE before the deadline while the target is down, and recovers when it is back', async () => {
    target.stop();
    const deadline = Date.now() + 8_000;
    const error = await failure(unary(calculator, 'add', { a: 1, b: 1 }, new Metadata(), { deadline }).result);
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(error.details).toContain(target.address);
    expect(Date.now()).toBeLessThan(deadline);
    await target.start();
    let recovered: CalcResult | undefined;
    await waitFor(async () => {
      recovered = await unary<CalcResult>(calculator, 'add', { a: 20, b: 22 }, new Metadata(), {
        deadline: Date.now() + 5_000,
      }).result.catch(() => undefined);
      return recovered !== undefined;
    }, 20_000);
    expect(recovered).toEqual({ value: 42, servedBy: 'target' });
    expect(gateway.state).toBe('running');
  });

  it('reports health over HTTP', async () => {
    const port = gatewayApp.get(HealthServer).port;
    const response = await fetch(`http://127.0.0.1:${port}/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      healthy: boolean;
      reasons: string[];
      subscriptions: Array<{ consuming: boolean; lag: Array<{ lag: number }> }>;
      targets: Array<{ service: string }>;
    };
    expect(body.healthy).toBe(true);
    expect(body.reasons).toEqual([]);
    // Each request topic it serves, consuming, with its lag per partition.
    expect(body.subscriptions.length).toBeGreaterThan(0);
    for (const subscription of body.subscriptions) {
      expect(subscription.consuming).toBe(true);
      expect(Array.isArray(subscription.lag)).toBe(true);
    }
    expect(body.targets.map((t) => t.service).sort()).toEqual([CALCULATOR, SERVER_INFO]);
  });

  it('finishes the calls in flight when the app shuts down', async () => {
    const { result } = unary<CalcResult>(calculator, 'slow', { delayMs: 500, value: 5 }, new Metadata());
    await waitFor(() => gateway.inFlight === 1);
    await gatewayApp.close();
    expect(gateway.state).toBe('closed');
    await expect(result).resolves.toEqual({ value: 5, servedBy: 'target' });
  });
});

describe('the gateway on any bus: NATS, selected by a bus config', () => {
  const servers = process.env.VRPC_NATS_SERVERS ?? '127.0.0.1:4222';
  const scope = uniqueName('gwnats');
  const topics = { requestPrefix: `${scope}.req.`, replies: `${scope}.replies`, deadLetter: `${scope}.dead` };
  const target = new CalculatorServer('nats-target');
  let gateway: VrpcGateway;
  let client: VrpcClient;

  beforeAll(async () => {
    await target.start(0);
    gateway = new VrpcGateway({
      targets: { [CALCULATOR]: target.address },
      bus: { type: 'nats', servers },
      topics,
      groupPrefix: `${scope}.`,
    });
    await gateway.start();
    client = new VrpcClient({ protos: CALC_PROTO, bus: { type: 'nats', servers }, topics, client: { timeoutMs: 10_000 } });
  });

  afterAll(async () => {
    await client?.close();
    await gateway?.close();
    target.stop();
    await deleteNatsStreams(servers, {
      topics: new Set([`${topics.requestPrefix}${CALCULATOR}`, topics.replies, topics.deadLetter]),
      subscriptions: [],
    });
  });

  it('forwards calls from the NATS request topic to the gRPC target', async () => {
    const calc = client.getService<{ add(request: object): Observable<CalcResult> }>('Calculator');
    await expect(firstValueFrom(calc.add({ a: 1, b: 2 }))).resolves.toEqual({ value: 3, servedBy: 'nats-target' });
    await expect(gateway.health()).resolves.toMatchObject({ healthy: true, state: 'running', bus: { healthy: true } });
  });
});
