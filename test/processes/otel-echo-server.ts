// An EchoService server with the real OpenTelemetry SDK registered, answering the test over IPC:
// `spans`, `metrics`, `hold` (handlers wait from now on) and `release`.
// Env: VRPC_TEST_OPTIONS (JSON of VrpcModuleOptions minus protos).
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod, RpcException } from '@nestjs/microservices';
import { trace } from '@opentelemetry/api';
import { VrpcModule, VrpcServer, type VrpcModuleOptions } from '@vrpc/nestjs';
import { ECHO_PROTO, type EchoReply, type EchoRequest } from '../fixtures/echo.service.js';
import { registerTestSdk, serveIpc } from '../support/otel-sdk.js';

const sdk = registerTestSdk();
const options = JSON.parse(process.env.VRPC_TEST_OPTIONS ?? '{}') as Omit<VrpcModuleOptions, 'protos'>;

let gate: Promise<void> | undefined;
let open: (() => void) | undefined;

@Controller()
class TracedEchoController {
  @GrpcMethod('EchoService', 'Echo')
  async echo(request: EchoRequest): Promise<EchoReply> {
    // A span of the handler's own: it must be a child of the server span.
    return trace.getTracer('handler').startActiveSpan('handler-work', async (span) => {
      try {
        if (gate) await gate;
        if (request.failCode) throw new RpcException({ code: request.failCode, message: request.failMessage ?? 'failed' });
        return { text: request.text ?? '', servedBy: `pid-${process.pid}`, trace: '' };
      } finally {
        span.end();
      }
    });
  }
}

@Module({ imports: [VrpcModule.forRoot({ ...options, protos: ECHO_PROTO })], controllers: [TracedEchoController] })
class ServerModule {}

const app = await NestFactory.createMicroservice(ServerModule, {
  inject: [VrpcServer],
  useFactory: (strategy: VrpcServer) => ({ strategy }),
  logger: ['error', 'warn'],
});
app.enableShutdownHooks();
await app.listen();

serveIpc({
  spans: () => sdk.spans(),
  metrics: () => sdk.metrics(),
  hold: () => {
    gate = new Promise<void>((resolve) => (open = resolve));
    return true;
  },
  release: () => {
    open?.();
    gate = undefined;
    return true;
  },
});
