import { VrpcClient, VrpcModule, VrpcServer, type VrpcModuleOptions, type VrpcSecurityOptions } from '@vrpc/nestjs';
import { firstValueFrom } from 'rxjs';
import { runNames, type RunConfig } from '../../config/run-config.js';
import { BENCH_PACKAGE, BENCH_PROTO, BENCH_SERVICE } from '../../paths.js';
import type { Contender } from '../contender.js';
import { type BenchServiceClient, EchoGrpcController } from '../echo-grpc.controller.js';
import { benchModule, startContext, startMicroservice } from '../nest-apps.js';
import { registerBenchSdk } from './otel-sdk.js';

/** The signed row's keys: a fixed bench key (not a secret), the same in the client and server processes. */
const BENCH_SECURITY: VrpcSecurityOptions = { keys: { bench: Buffer.alloc(32, 0x5a) }, signWith: 'bench' };

type VrpcNames = ReturnType<typeof runNames>['vrpc'];

type VrpcBusOption = NonNullable<VrpcModuleOptions['bus']>;

/** The kafkajs bus (vRPC's default) on the run's brokers. */
const kafkajsBus = (config: RunConfig, names: VrpcNames): VrpcBusOption => ({
  type: 'kafka',
  brokers: config.brokers,
  clientId: names.clientId,
});

/**
 * vRPC with its defaults, as the README configures it; only names are made unique to the run.
 * `bus` is the kafkajs bus unless given: a row per bus, each with that bus' defaults.
 */
function vrpcOptions(
  config: RunConfig,
  names: VrpcNames = runNames(config).vrpc,
  security?: VrpcSecurityOptions,
  bus: VrpcBusOption = kafkajsBus(config, names),
): VrpcModuleOptions {
  return {
    protos: { protoPath: BENCH_PROTO, package: BENCH_PACKAGE },
    bus,
    topics: {
      requestPrefix: names.requestPrefix,
      replies: names.replies,
      deadLetter: names.deadLetter,
      requestPartitions: config.requestPartitions,
      replyPartitions: config.replyPartitions,
    },
    client: { timeoutMs: config.callTimeoutMs, instanceIdPrefix: names.clientId },
    server: { groupPrefix: names.groupPrefix },
    ...(security && { security }),
  };
}

/** A vRPC contender whose options are `options(config)`. */
function vrpcContenderWith(options: (config: RunConfig) => VrpcModuleOptions, before?: () => void): Contender {
  return {
    async startServer(config) {
      before?.();
      const app = await startMicroservice(
        benchModule({ imports: [VrpcModule.forRoot(options(config))], controllers: [EchoGrpcController] }),
        { inject: [VrpcServer], useFactory: (strategy: VrpcServer) => ({ strategy }) },
      );
      return { close: () => app.close() };
    },

    async startClient(config) {
      before?.();
      const app = await startContext(benchModule({ imports: [VrpcModule.forRoot(options(config))] }));
      const client = app.get(VrpcClient);
      await client.connect();
      const service = client.getService<BenchServiceClient>(BENCH_SERVICE);
      return {
        call: (request) => firstValueFrom(service.echo(request)),
        close: () => app.close(),
      };
    },
  };
}

/** vRPC over Kafka (kafkajs bus): `VrpcClient.getService()` → `VrpcServer` → the `@GrpcMethod` handler. */
export const vrpcContender: Contender = vrpcContenderWith((config) => vrpcOptions(config));

/** The same with `security`: every request and reply signed (HMAC-SHA256) and checked; its own topics. */
export const vrpcSignedContender: Contender = vrpcContenderWith((config) =>
  vrpcOptions(config, runNames(config).vrpcSigned, BENCH_SECURITY),
);

/** The same with the OpenTelemetry SDK registered in both processes (every call traced, metrics on, exported nowhere); its own topics. */
export const vrpcOtelContender: Contender = vrpcContenderWith((config) => vrpcOptions(config, runNames(config).vrpcOtel), registerBenchSdk);

/** vRPC over Kafka through the `@platformatic/kafka` bus, its defaults otherwise; its own topics. */
export const vrpcPlatformaticContender: Contender = vrpcContenderWith((config) => {
  const names = runNames(config).vrpcPlatformatic;
  return vrpcOptions(config, names, undefined, { type: 'platformatic-kafka', brokers: config.brokers, clientId: names.clientId });
});

/**
 * vRPC over NATS JetStream with the bus' defaults: the server at `VRPC_NATS_SERVERS`, else
 * 127.0.0.1:4222; the bus creates a stream per topic. Partition counts do not apply there.
 */
export const vrpcNatsContender: Contender = vrpcContenderWith((config) => {
  const names = runNames(config).vrpcNats;
  return vrpcOptions(config, names, undefined, { type: 'nats', clientId: names.clientId });
});

/**
 * vRPC over RabbitMQ with the bus' defaults (quorum queues): the broker at `VRPC_RABBITMQ_URL`,
 * else amqp://guest:guest@127.0.0.1:5672; the bus declares its exchanges and queues.
 */
export const vrpcRabbitmqContender: Contender = vrpcContenderWith((config) =>
  vrpcOptions(config, runNames(config).vrpcRabbitmq, undefined, { type: 'rabbitmq' }),
);
