import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type Client,
  credentials,
  type GrpcObject,
  loadPackageDefinition,
  Metadata,
  Server,
  ServerCredentials,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { Controller, type DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod } from '@nestjs/microservices';
import { VrpcClient, VrpcModule, type VrpcModuleOptions, VrpcServer } from '@vrpc/nestjs';
import { VrpcGateway } from '@vrpc/nestjs/gateway';
import { createVrpcInterceptor } from '@vrpc/nestjs/interceptor';
import { firstValueFrom, type Observable } from 'rxjs';
import { type LatencySummary, summarize } from './latency-stats.js';

const PROTO_PATH = join(import.meta.dirname, '..', '..', 'proto', 'latency.proto');
const PACKAGE = 'vrpc.latency';

interface Payload {
  text: string;
  body: Buffer;
}

interface PingClient {
  ping(request: Payload, metadata?: Metadata): Observable<Payload>;
}

@Controller()
class InProcessController {
  @GrpcMethod('InProcess', 'Ping')
  ping(request: Payload): Payload {
    return request;
  }
}

@Module({})
class LatencyModule {
  static forRoot(options: VrpcModuleOptions): DynamicModule {
    return { module: LatencyModule, imports: [VrpcModule.forRoot(options)], controllers: [InProcessController] };
  }
}

/** A plain grpc-js server of vrpc.latency.Forwarded, standing for a server in any language. */
async function startTarget(Forwarded: ServiceClientConstructor): Promise<{ server: Server; address: string }> {
  const server = new Server();
  const implementation = {
    ping: (call: { request: Payload }, callback: (error: null, reply: Payload) => void) => callback(null, call.request),
  };
  server.addService(Forwarded.service, implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { server, address: `127.0.0.1:${port}` };
}

function grpcPing(client: Client, request: Payload): Promise<Payload> {
  const ping = (client as unknown as Record<string, (r: Payload, m: Metadata, cb: (e: ServiceError | null, v?: Payload) => void) => void>)
    .ping;
  return new Promise((resolve, reject) =>
    ping.call(client, request, new Metadata(), (error, value) =>
      error || !value ? reject(error ?? new Error('no reply')) : resolve(value),
    ),
  );
}

function row(name: string, summary: LatencySummary): string {
  const cells = [summary.p50, summary.p90, summary.p99, summary.mean].map((ms) => ms.toFixed(2).padStart(8));
  return `${name.padEnd(34)}${cells.join('')}`;
}

/**
 * Measures what the gateway adds over the in-process server path: the same VrpcClient calls
 * a Nest handler served by VrpcServer, and a plain grpc-js server behind VrpcGateway, one call
 * at a time, alternating, over the same Kafka topics' settings.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '2000' },
      warmup: { type: 'string', default: '200' },
      bytes: { type: 'string', default: '64' },
    },
  });
  const calls = Number(values.calls);
  const warmup = Number(values.warmup);
  const brokers = process.env.VRPC_KAFKA_BROKERS?.split(',').filter(Boolean) ?? ['127.0.0.1:19092'];
  const scope = `latency.${randomUUID().slice(0, 8)}`;
  const options: VrpcModuleOptions = {
    protos: { protoPath: PROTO_PATH, package: PACKAGE },
    bus: { type: 'kafka', brokers },
    topics: {
      requestPrefix: `${scope}.req.`,
      replies: `${scope}.replies`,
      deadLetter: `${scope}.dead`,
      requestPartitions: 4,
      replyPartitions: 4,
    },
    client: { timeoutMs: 10_000 },
    server: { groupPrefix: `${scope}.` },
  };
  const pkg = (loadPackageDefinition(loadSync(PROTO_PATH)).vrpc as GrpcObject).latency as GrpcObject;
  const Forwarded = pkg.Forwarded as ServiceClientConstructor;

  const app = await NestFactory.createMicroservice(LatencyModule.forRoot(options), {
    inject: [VrpcServer],
    useFactory: (strategy: VrpcServer) => ({ strategy }),
    logger: ['warn', 'error'],
  });
  await app.listen();
  const target = await startTarget(Forwarded);
  const gateway = new VrpcGateway({
    targets: { [`${PACKAGE}.Forwarded`]: target.address },
    bus: options.bus,
    topics: options.topics,
    ...options.server,
  });
  await gateway.start();
  const client = app.get(VrpcClient);
  await client.connect();
  const interceptor = createVrpcInterceptor(client);
  const intercepted = new Forwarded('127.0.0.1:1', credentials.createInsecure(), { interceptors: [interceptor] });
  const direct = new Forwarded(target.address, credentials.createInsecure());
  const request: Payload = { text: 'ping', body: Buffer.alloc(Number(values.bytes), 7) };
  const paths: Array<[string, () => Promise<unknown>]> = [
    ['in-process (VrpcServer, Nest)', () => firstValueFrom(client.getService<PingClient>('InProcess').ping(request))],
    ['gateway (VrpcGateway → grpc-js)', () => firstValueFrom(client.getService<PingClient>('Forwarded').ping(request))],
    ['interceptor + gateway', () => grpcPing(intercepted, request)],
    ['direct gRPC (reference)', () => grpcPing(direct, request)],
  ];
  const samples = paths.map(() => [] as number[]);
  try {
    for (let i = 0; i < warmup + calls; i++) {
      // Rotating the order spreads drift (GC, other load) over every path alike.
      for (let k = 0; k < paths.length; k++) {
        const index = (i + k) % paths.length;
        const started = performance.now();
        await paths[index][1]();
        if (i >= warmup) samples[index].push(performance.now() - started);
      }
    }
  } finally {
    intercepted.close();
    direct.close();
    await gateway.close();
    await app.close();
    target.server.forceShutdown();
  }
  const summaries = samples.map(summarize);
  const lines = [
    `${calls} sequential calls per path after ${warmup} warm-up, ${values.bytes}-byte body, Kafka at ${brokers.join(',')}`,
    `${'path'.padEnd(34)}${['p50', 'p90', 'p99', 'mean'].map((h) => h.padStart(8)).join('')}  (ms)`,
    ...paths.map(([name], index) => row(name, summaries[index])),
    `extra p50 of the gateway over the in-process path: ${(summaries[1].p50 - summaries[0].p50).toFixed(2)} ms`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
