// A JobService server in a process of its own, for multi-process tests.
// Env: VRPC_KAFKA_BROKERS, VRPC_TEST_OPTIONS (JSON of VrpcModuleOptions minus protos), VRPC_TEST_EFFECTS (Redis prefix).
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { VrpcModule, VrpcServer, type VrpcModuleOptions } from '@vrpc/nestjs';
import { JOBS_PROTO } from '../fixtures/jobs.service.js';
import { JobsController, SIDE_EFFECTS } from '../fixtures/jobs.controller.js';
import { SideEffects } from '../fixtures/side-effects.js';

const options = JSON.parse(process.env.VRPC_TEST_OPTIONS ?? '{}') as Omit<VrpcModuleOptions, 'protos'>;

@Module({
  imports: [VrpcModule.forRoot({ ...options, protos: JOBS_PROTO })],
  controllers: [JobsController],
  providers: [{ provide: SIDE_EFFECTS, useValue: new SideEffects(process.env.VRPC_TEST_EFFECTS ?? 'effects') }],
})
class JobServerModule {}

const app = await NestFactory.createMicroservice(JobServerModule, {
  inject: [VrpcServer],
  useFactory: (strategy: VrpcServer) => ({ strategy }),
  logger: ['error', 'warn'],
});
app.enableShutdownHooks();
await app.listen();
process.stdout.write('READY\n');
