import { type ClientGrpc, ClientsModule, Transport } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import type { RunConfig } from '../../config/run-config.js';
import { BENCH_PACKAGE, BENCH_PROTO, BENCH_SERVICE } from '../../paths.js';
import type { Contender } from '../contender.js';
import { type BenchServiceClient, EchoGrpcController } from '../echo-grpc.controller.js';
import { benchModule, startContext, startMicroservice } from '../nest-apps.js';

const GRPC_CLIENT = Symbol('GRPC_CLIENT');

const grpcOptions = (config: RunConfig) => ({ package: BENCH_PACKAGE, protoPath: BENCH_PROTO, url: config.grpcUrl });

/** Direct gRPC, the synchronous baseline: Nest `ClientGrpc` → `Transport.GRPC` → the same controller. */
export const grpcContender: Contender = {
  async startServer(config) {
    const app = await startMicroservice(benchModule({ controllers: [EchoGrpcController] }), {
      transport: Transport.GRPC,
      options: grpcOptions(config),
    });
    return { close: () => app.close() };
  },

  async startClient(config) {
    const app = await startContext(
      benchModule({
        imports: [ClientsModule.register([{ name: GRPC_CLIENT, transport: Transport.GRPC, options: grpcOptions(config) }])],
      }),
    );
    const service = app.get<ClientGrpc>(GRPC_CLIENT).getService<BenchServiceClient>(BENCH_SERVICE);
    return {
      call: (request) => firstValueFrom(service.echo(request)),
      close: () => app.close(),
    };
  },
};
