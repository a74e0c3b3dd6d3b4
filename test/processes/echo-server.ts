// An EchoService server in a process of its own that records every execution in Redis, for
// fault tests. Env: VRPC_TEST_OPTIONS (JSON of VrpcModuleOptions minus protos), VRPC_TEST_EFFECTS.
import 'reflect-metadata';
import { setTimeout as delay } from 'node:timers/promises';
import { Controller, Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod } from '@nestjs/microservices';
import { VrpcModule, VrpcServer, type VrpcModuleOptions } from '@vrpc/nestjs';
import { ECHO_PROTO, type EchoReply, type EchoRequest } from '../fixtures/echo.service.js';
import { SideEffects } from '../fixtures/side-effects.js';

const options = JSON.parse(process.env.VRPC_TEST_OPTIONS ?? '{}') as Omit<VrpcModuleOptions, 'protos'>;
const EFFECTS = Symbol('EFFECTS');

@Controller()
class CountingEchoController {
  constructor(@Inject(EFFECTS) private readonly effects: SideEffects) {}

  @GrpcMethod('EchoService', 'Echo')
  async echo(request: EchoRequest): Promise<EchoReply> {
    await this.effects.started(request.text ?? '', `pid-${process.pid}`);
    // The extreme poison: a request that takes its server process down every time.
    if (request.crash) process.exit(70);
    if (request.delayMs) await delay(request.delayMs);
    return { text: request.text ?? '', servedBy: `pid-${process.pid}`, trace: '' };
  }
}

const effects = new SideEffects(process.env.VRPC_TEST_EFFECTS ?? 'effects');

@Module({
  imports: [VrpcModule.forRoot({ ...options, protos: ECHO_PROTO })],
  controllers: [CountingEchoController],
  providers: [{ provide: EFFECTS, useValue: effects }],
})
class EchoServerModule {}

const app = await NestFactory.createMicroservice(EchoServerModule, {
  inject: [VrpcServer],
  useFactory: (strategy: VrpcServer) => ({ strategy }),
  logger: ['error', 'warn'],
});
app.enableShutdownHooks();
await app.listen();
process.stdout.write('READY\n');
process.once('beforeExit', () => void effects.close());
