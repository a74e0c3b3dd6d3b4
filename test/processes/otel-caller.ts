// A caller with the real OpenTelemetry SDK registered: a VrpcClient and a plain grpc-js client
// with the vRPC interceptor, each call made inside a span of the test's ("caller-root").
// Commands: `call` { text, failCode?, via: 'client' | 'interceptor', scope: 'server' | 'gateway' }, `spans`, `metrics`.
// Env: VRPC_TEST_OPTIONS and VRPC_TEST_GATEWAY_OPTIONS (JSON of VrpcModuleOptions minus protos).
import 'reflect-metadata';
import {
  type Client,
  credentials,
  type ServiceClientConstructor,
  type ServiceError,
  loadPackageDefinition,
  type GrpcObject,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { trace } from '@opentelemetry/api';
import { VrpcClient, type VrpcModuleOptions } from '@vrpc/nestjs';
import { createVrpcInterceptor } from '@vrpc/nestjs/interceptor';
import { firstValueFrom } from 'rxjs';
import { ECHO_PROTO, type EchoServiceClient } from '../fixtures/echo.service.js';
import { registerTestSdk, serveIpc } from '../support/otel-sdk.js';

const sdk = registerTestSdk();
const read = (name: string) => JSON.parse(process.env[name] ?? '{}') as Omit<VrpcModuleOptions, 'protos'>;
const clients = {
  server: new VrpcClient({ ...read('VRPC_TEST_OPTIONS'), protos: ECHO_PROTO }),
  gateway: new VrpcClient({ ...read('VRPC_TEST_GATEWAY_OPTIONS'), protos: ECHO_PROTO }),
};
await Promise.all([clients.server.connect(), clients.gateway.connect()]);
const services = {
  server: clients.server.getService<EchoServiceClient>('EchoService'),
  gateway: clients.gateway.getService<EchoServiceClient>('EchoService'),
};

const definition = loadSync(ECHO_PROTO.protoPath, { defaults: true });
const Echo = ((loadPackageDefinition(definition).vrpc as GrpcObject).echo as GrpcObject).EchoService as ServiceClientConstructor;
// Its channel points nowhere: only a call routed over vRPC can succeed.
const plain: Client = new Echo('127.0.0.1:1', credentials.createInsecure(), {
  interceptors: [createVrpcInterceptor({ client: clients.server })],
});

interface CallArgs {
  text: string;
  failCode?: number;
  via: 'client' | 'interceptor';
  scope: 'server' | 'gateway';
}

function viaInterceptor(request: object): Promise<unknown> {
  return new Promise((resolve, reject) =>
    (plain as unknown as Record<string, (r: object, cb: (e: ServiceError | null, v: unknown) => void) => void>).echo(
      request,
      (error, value) => (error ? reject(error) : resolve(value)),
    ),
  );
}

serveIpc({
  call: ({ text, failCode, via, scope }: CallArgs) =>
    trace.getTracer('caller').startActiveSpan('caller-root', async (root) => {
      const request = { text, failCode };
      let code = 0;
      try {
        await (via === 'client' ? firstValueFrom(services[scope].echo(request)) : viaInterceptor(request));
      } catch (error: unknown) {
        code = (error as { code?: number }).code ?? -1;
      } finally {
        root.end();
      }
      return { code, traceId: root.spanContext().traceId, rootSpanId: root.spanContext().spanId };
    }),
  spans: () => sdk.spans(),
  metrics: () => sdk.metrics(),
});
process.once('SIGTERM', () => {
  plain.close();
  void Promise.all([clients.server.close(), clients.gateway.close()]).then(() => process.exit(0));
});
