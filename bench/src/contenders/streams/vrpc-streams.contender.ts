import { VrpcClient, VrpcModule, VrpcServer, type VrpcModuleOptions } from '@vrpc/nestjs';
import { runNames, type RunConfig } from '../../config/run-config.js';
import { BENCH_PACKAGE, STREAM_PROTO, STREAM_SERVICE } from '../../paths.js';
import { benchModule, startContext, startMicroservice } from '../nest-apps.js';
import { StreamBenchController, type StreamBenchServiceClient } from './stream-bench.controller.js';
import type { StreamContender } from './stream-contender.js';

/** Topic options with the streams topic (docs/streaming.md `topics.streams`), unique to the run like every other name. */
type StreamTopics = NonNullable<VrpcModuleOptions['topics']> & { streams: string };

/** vRPC with its defaults (kafkajs bus, stream window 256…); only names are made unique to the run. */
function vrpcStreamOptions(config: RunConfig): VrpcModuleOptions {
  const names = runNames(config).vrpcStreams;
  const topics: StreamTopics = {
    requestPrefix: names.requestPrefix,
    replies: names.replies,
    deadLetter: names.deadLetter,
    streams: names.streams,
    requestPartitions: config.requestPartitions,
    replyPartitions: config.replyPartitions,
  };
  return {
    protos: { protoPath: STREAM_PROTO, package: BENCH_PACKAGE },
    bus: { type: 'kafka', brokers: config.brokers, clientId: names.clientId },
    topics,
    // One deadline covers a whole stream: long, so that a slow contender is measured, not failed.
    client: { timeoutMs: config.callTimeoutMs, instanceIdPrefix: names.clientId },
    server: { groupPrefix: names.groupPrefix },
  };
}

/** vRPC streams whose server-streaming calls go to `method` (`generate`: the `async function*`, `stream`: the Observable). */
function vrpcStreams(method: 'generate' | 'stream'): StreamContender {
  return {
    async startServer(config) {
      const app = await startMicroservice(
        benchModule({ imports: [VrpcModule.forRoot(vrpcStreamOptions(config))], controllers: [StreamBenchController] }),
        { inject: [VrpcServer], useFactory: (strategy: VrpcServer) => ({ strategy }) },
      );
      return { close: () => app.close() };
    },

    async startClient(config) {
      const app = await startContext(benchModule({ imports: [VrpcModule.forRoot(vrpcStreamOptions(config))] }));
      const client = app.get(VrpcClient);
      await client.connect();
      const service = client.getService<StreamBenchServiceClient>(STREAM_SERVICE);
      return {
        serverStream: (request) => service[method](request),
        echo: (items) => service.echo(items),
        close: () => app.close(),
      };
    },
  };
}

/** `VrpcClient.getService()` → `VrpcServer` → the `async function*` handler, pulled as the window opens. */
export const vrpcGeneratorStreams: StreamContender = vrpcStreams('generate');

/** The same, served by the Observable handler (`range`), which cannot be paused. */
export const vrpcObservableStreams: StreamContender = vrpcStreams('stream');
