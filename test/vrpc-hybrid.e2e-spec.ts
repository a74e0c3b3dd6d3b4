import { Metadata } from '@grpc/grpc-js';
import type { INestMicroservice } from '@nestjs/common';
import { ClientProxyFactory, type ClientGrpc, Transport } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { VrpcClient, VrpcModule, VrpcServer } from '@vrpc/nestjs';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EchoController } from './fixtures/echo.controller.js';
import { ECHO_PROTO, type EchoServiceClient } from './fixtures/echo.service.js';
import { isolatedOptions } from './support/echo-app.js';
import { freePort } from './support/free-port.js';

describe('one controller served over gRPC and over vRPC at once', () => {
  let url = '';
  let grpcServer: INestMicroservice;
  let vrpcServer: INestMicroservice;
  let grpcClient: ClientGrpc & { close(): unknown };
  let vrpcClient: VrpcClient;

  beforeAll(async () => {
    url = `127.0.0.1:${await freePort()}`;
    const moduleRef = await Test.createTestingModule({
      imports: [VrpcModule.forRoot(isolatedOptions())],
      controllers: [EchoController],
    }).compile();
    vrpcServer = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VrpcServer), logger: ['error'] });
    grpcServer = moduleRef.createNestMicroservice({ transport: Transport.GRPC, options: { ...ECHO_PROTO, url }, logger: ['error'] });
    await Promise.all([vrpcServer.listen(), grpcServer.listen()]);
    grpcClient = ClientProxyFactory.create({ transport: Transport.GRPC, options: { ...ECHO_PROTO, url } });
    vrpcClient = moduleRef.get(VrpcClient);
  });

  afterAll(async () => {
    grpcClient?.close();
    await grpcServer?.close();
    await vrpcServer?.close();
  });

  it('gives the same reply through ClientGrpc and VrpcClient', async () => {
    const metadata = new Metadata();
    metadata.set('x-trace', 'hybrid');
    const direct = await firstValueFrom(grpcClient.getService<EchoServiceClient>('EchoService').echo({ text: 'same' }, metadata));
    const queued = await firstValueFrom(vrpcClient.getService<EchoServiceClient>('EchoService').echo({ text: 'same' }, metadata));
    expect(queued).toEqual(direct);
    expect(direct.trace).toBe('hybrid');
  });

  it('gives the same error shape through ClientGrpc and VrpcClient', async () => {
    const request = { failCode: 5, failMessage: 'missing' };
    const failure = (client: ClientGrpc) =>
      firstValueFrom(client.getService<EchoServiceClient>('EchoService').echo(request)).then(
        () => ({ code: 0, details: 'no error' }),
        (e: unknown) => {
          const { code, details } = e as { code: number; details: string };
          return { code, details };
        },
      );
    const direct = await failure(grpcClient);
    expect(direct.code).toBe(5);
    expect(await failure(vrpcClient)).toEqual(direct);
  });
});
