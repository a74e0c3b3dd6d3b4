import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import type { INestApplicationContext } from '@nestjs/common';
import { type ClientGrpc, ClientsModule, Transport } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { VrpcClient, VrpcModule, type VrpcModuleOptions } from '@vrpc/nestjs';
import { createVrpcInterceptor } from '@vrpc/nestjs/interceptor';
import { firstValueFrom, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECHO_PROTO, type EchoReply, type EchoRequest } from '../fixtures/echo.service.js';
import { type EchoApp, isolatedOptions, startEchoApp } from '../support/echo-app.js';
import { waitFor } from '../support/kafka.js';

/** EchoService as Nest's ClientGrpc exposes it: (data, metadata?, call options?). */
interface EchoGrpc {
  echo(request: EchoRequest, metadata?: Metadata, options?: { deadline?: number }): Observable<EchoReply>;
  missing(request: EchoRequest): Observable<EchoReply>;
}

const ECHO_CLIENT = Symbol('ECHO_CLIENT');

function failure(call: Observable<unknown>): Promise<ServiceError> {
  return firstValueFrom(call).then(
    () => expect.fail('the call succeeded'),
    (error: unknown) => error as ServiceError,
  );
}

describe("Nest's ClientGrpc through the vRPC interceptor, served by a @GrpcMethod controller over Kafka", () => {
  let options: VrpcModuleOptions;
  let server: EchoApp;
  let caller: INestApplicationContext;
  let vrpc: VrpcClient;
  let echo: EchoGrpc;

  beforeAll(async () => {
    options = isolatedOptions();
    server = await startEchoApp(options);
    // The caller is another app: an ordinary ClientsModule gRPC client whose channel options
    // carry the interceptor. Nothing listens at its URL, so a call that skipped vRPC would fail.
    const moduleRef = await Test.createTestingModule({
      imports: [
        VrpcModule.forRoot({ ...options, isGlobal: true }),
        ClientsModule.registerAsync([
          {
            name: ECHO_CLIENT,
            inject: [VrpcClient],
            useFactory: (client: VrpcClient) => ({
              transport: Transport.GRPC,
              options: {
                package: ECHO_PROTO.package,
                protoPath: ECHO_PROTO.protoPath,
                url: '127.0.0.1:1',
                channelOptions: { interceptors: [createVrpcInterceptor(client)] },
              },
            }),
          },
        ]),
      ],
    }).compile();
    caller = await moduleRef.init();
    vrpc = caller.get(VrpcClient);
    echo = caller.get<ClientGrpc>(ECHO_CLIENT).getService<EchoGrpc>('EchoService');
  });

  afterAll(async () => {
    await caller?.close();
    await server?.app.close();
  });

  it('reaches the handler, with request metadata, and returns its reply', async () => {
    const metadata = new Metadata();
    metadata.set('x-trace', 'nest-grpc-client');
    const reply = await firstValueFrom(echo.echo({ text: 'through ClientGrpc' }, metadata));
    expect(reply).toEqual({ text: 'through ClientGrpc', servedBy: `pid-${process.pid}`, trace: 'nest-grpc-client' });
    expect(server.controller.calls).toContain('through ClientGrpc');
  });

  it("keeps the handler's status codes and messages", async () => {
    const denied = await failure(echo.echo({ failCode: status.PERMISSION_DENIED, failMessage: 'not yours' }));
    expect(denied).toMatchObject({ code: status.PERMISSION_DENIED, details: 'not yours' });
    expect(denied.metadata).toBeInstanceOf(Metadata);
    const internal = await failure(echo.echo({ crash: true }));
    expect(internal.code).toBe(status.INTERNAL);
    expect(internal.details).not.toContain('secret');
    await expect(failure(echo.missing({}))).resolves.toMatchObject({ code: status.UNIMPLEMENTED });
  });

  it('honours the call deadline', async () => {
    const started = Date.now();
    const error = await failure(echo.echo({ text: 'too slow', delayMs: 3_000 }, new Metadata(), { deadline: Date.now() + 500 }));
    expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(vrpc.pendingCount).toBe(0);
  });

  it('unsubscribing cancels the wait for the reply', async () => {
    const served = server.controller.calls.length;
    const subscription = echo.echo({ text: 'abandoned', delayMs: 1_000 }).subscribe({ error: () => undefined });
    await waitFor(() => server.controller.calls.length > served);
    expect(vrpc.pendingCount).toBe(1);
    subscription.unsubscribe();
    expect(vrpc.pendingCount).toBe(0);
  });
});
