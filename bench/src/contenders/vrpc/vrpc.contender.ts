import { VrpcClient, VrpcModule, VrpcServer, type VrpcModuleOptions } from '@vrpc/nestjs';
import { firstValueFrom } from 'rxjs';
import { runNames, type RunConfig } from '../../config/run-config.js';
import { BENCH_PACKAGE, BENCH_PROTO, BENCH_SERVICE } from '../../paths.js';
import type { Contender } from '../contender.js';
import { type BenchServiceClient, EchoGrpcController } from '../echo-grpc.controller.js';
import { benchModule, startContext, startMicroservice } from '../nest-apps.js';

/** vRPC with its defaults, as the README configures it; only names are made unique to the run. */
function vrpcOptions(config: RunConfig): VrpcModuleOptions {
  const names = runNames(config).vrpc;
  return {
    protos: { protoPath: BENCH_PROTO, package: BENCH_PACKAGE },
    bus: { type: 'kafka', brokers: config.brokers, clientId: names.clientId },
    topics: {
      requestPrefix: names.requestPrefix,
      replies: names.replies,
      deadLetter: names.deadLetter,
      requestPartitions: config.requestPartitions,
      replyPartitions: config.replyPartitions,
    },
    client: { timeoutMs: config.callTimeoutMs, instanceIdPrefix: names.clientId },
    server: { groupPrefix: names.groupPrefix },
  };
}

/** vRPC over Kafka (kafkajs bus): `VrpcClient.getService()` → `VrpcServer` → the `@GrpcMethod` handler. */
export const vrpcContender: Contender = {
  async startServer(config) {
    const app = await startMicroservice(
      benchModule({ imports: [VrpcModule.forRoot(vrpcOptions(config))], controllers: [EchoGrpcController] }),
      { inject: [VrpcServer], useFactory: (strategy: VrpcServer) => ({ strategy }) },
    );
    return { close: () => app.close() };
  },

  async startClient(config) {
    const app = await startContext(benchModule({ imports: [VrpcModule.forRoot(vrpcOptions(config))] }));
    const client = app.get(VrpcClient);
    await client.connect();
    const service = client.getService<BenchServiceClient>(BENCH_SERVICE);
    return {
      call: (request) => firstValueFrom(service.echo(request)),
      close: () => app.close(),
    };
  },
};
