// A VrpcGateway with the real OpenTelemetry SDK registered, in front of a plain grpc-js EchoService
// server in this process that remembers the `traceparent` each call brought.
// Commands: `spans`, `traceparents`. Env: VRPC_TEST_GATEWAY_OPTIONS (JSON of VrpcModuleOptions minus protos).
import {
  type GrpcObject,
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type ServiceClientConstructor,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { VrpcModuleOptions } from '@vrpc/nestjs';
import { VrpcGateway } from '@vrpc/nestjs/gateway';
import { ECHO_PROTO } from '../fixtures/echo.service.js';
import { registerTestSdk, serveIpc } from '../support/otel-sdk.js';

const sdk = registerTestSdk();
const options = JSON.parse(process.env.VRPC_TEST_GATEWAY_OPTIONS ?? '{}') as Omit<VrpcModuleOptions, 'protos'>;
const traceparents: string[] = [];

const definition = loadSync(ECHO_PROTO.protoPath, { defaults: true });
const Echo = ((loadPackageDefinition(definition).vrpc as GrpcObject).echo as GrpcObject).EchoService as ServiceClientConstructor;
const target = new Server();
const implementation: UntypedServiceImplementation = {
  Echo: (
    call: { request: { text: string }; metadata: { get(key: string): Array<string | Buffer> } },
    callback: (e: null, v: object) => void,
  ) => {
    const value = call.metadata.get('traceparent')[0];
    traceparents.push(typeof value === 'string' ? value : '');
    callback(null, { text: call.request.text, servedBy: 'plain-target', trace: '' });
  },
};
target.addService(Echo.service, implementation);
const port = await new Promise<number>((resolve, reject) =>
  target.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
);

const gateway = new VrpcGateway({
  targets: { 'vrpc.echo.EchoService': `127.0.0.1:${port}` },
  bus: options.bus,
  topics: options.topics,
  groupPrefix: options.server?.groupPrefix,
});
await gateway.start();

serveIpc({ spans: () => sdk.spans(), traceparents: () => traceparents });
process.once(
  'SIGTERM',
  () =>
    void gateway
      .close()
      .then(() => target.forceShutdown())
      .then(() => process.exit(0)),
);
