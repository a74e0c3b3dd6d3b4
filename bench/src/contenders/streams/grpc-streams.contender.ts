import { type ClientGrpc, ClientsModule, Transport } from '@nestjs/microservices';
import type { RunConfig } from '../../config/run-config.js';
import { BENCH_PACKAGE, STREAM_PROTO, STREAM_SERVICE } from '../../paths.js';
import { benchModule, startContext, startMicroservice } from '../nest-apps.js';
import { StreamBenchController, type StreamBenchServiceClient } from './stream-bench.controller.js';
import type { StreamContender } from './stream-contender.js';

const GRPC_CLIENT = Symbol('GRPC_STREAM_CLIENT');

const grpcOptions = (config: RunConfig) => ({ package: BENCH_PACKAGE, protoPath: STREAM_PROTO, url: config.grpcUrl });

/** Direct gRPC: Nest `ClientGrpc` → `Transport.GRPC` → the same controller (its Observable handler), loopback. */
export const grpcStreams: StreamContender = {
  async startServer(config) {
    const app = await startMicroservice(benchModule({ controllers: [StreamBenchController] }), {
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
    const service = app.get<ClientGrpc>(GRPC_CLIENT).getService<StreamBenchServiceClient>(STREAM_SERVICE);
    return {
      serverStream: (request) => service.stream(request),
      echo: (items) => service.echo(items),
      close: () => app.close(),
    };
  },
};
