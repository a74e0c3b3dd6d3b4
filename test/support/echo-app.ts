import { type INestMicroservice, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { VrpcClient, VrpcModule, VrpcServer, type VrpcModuleOptions } from '@vrpc/nestjs';
import { EchoController } from '../fixtures/echo.controller.js';
import { ECHO_PROTO } from '../fixtures/echo.service.js';
import { testBrokers, uniqueName } from './kafka.js';

/** Options for a test's own topics and groups on the real broker; `client` and `server` overrides merge. */
export function isolatedOptions({ client, server, ...overrides }: Partial<VrpcModuleOptions> = {}): VrpcModuleOptions {
  const scope = uniqueName('t');
  return {
    protos: ECHO_PROTO,
    bus: { type: 'kafka', brokers: testBrokers() },
    topics: {
      requestPrefix: `${scope}.req.`,
      replies: `${scope}.replies`,
      deadLetter: `${scope}.dead`,
      requestPartitions: 4,
      replyPartitions: 4,
    },
    ...overrides,
    client: { timeoutMs: 15_000, ...client },
    server: { groupPrefix: `${scope}.`, ...server },
  };
}

export interface EchoApp {
  app: INestMicroservice;
  client: VrpcClient;
  controller: EchoController;
}

/** An app that serves EchoService over vRPC with the given options (and `more` controllers beside it). */
export async function startEchoApp(options: VrpcModuleOptions, more: Type[] = []): Promise<EchoApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [VrpcModule.forRoot(options)],
    controllers: [EchoController, ...more],
  }).compile();
  const app = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VrpcServer), logger: ['error', 'warn'] });
  await app.listen();
  return { app, client: moduleRef.get(VrpcClient), controller: moduleRef.get(EchoController) };
}
