import { Metadata, status } from '@grpc/grpc-js';
import { type INestMicroservice, Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EchoController } from '../../../../test/fixtures/echo.controller.js';
import { ECHO_PROTO, type EchoServiceClient } from '../../../../test/fixtures/echo.service.js';
import { VrpcClient } from '../client/vrpc-client.js';
import { VrpcCallError } from '../errors/vrpc-call.error.js';
import { VrpcServer } from '../server/vrpc-server.js';
import type { OutgoingMessage, VrpcBus } from '../bus/bus.interface.js';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { VRPC_BUS } from './vrpc.tokens.js';
import { getVrpcClientToken, InjectVrpcClient, VrpcModule } from './vrpc.module.js';

describe('VrpcModule on the in-memory bus', () => {
  let app: INestMicroservice;
  let client: VrpcClient;
  let echo: EchoServiceClient;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [VrpcModule.forRoot({ protos: ECHO_PROTO, bus: 'memory', client: { timeoutMs: 2_000 } })],
      controllers: [EchoController],
    }).compile();
    app = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VrpcServer) });
    await app.listen();
    client = moduleRef.get(VrpcClient);
    await client.connect();
    echo = client.getService<EchoServiceClient>('EchoService');
  });

  afterAll(async () => {
    await app.close();
  });

  it('calls a @GrpcMethod handler and returns its reply', async () => {
    const reply = await firstValueFrom(echo.echo({ text: 'hello' }));
    expect(reply.text).toBe('hello');
  });

  it('passes metadata to the handler', async () => {
    const metadata = new Metadata();
    metadata.set('x-trace', 'abc-123');
    const reply = await firstValueFrom(echo.echo({ text: 'm' }, metadata));
    expect(reply.trace).toBe('abc-123');
  });

  it('completes after one value, as a unary gRPC call does', async () => {
    const values = await lastValueFrom(echo.echo({ text: 'once' }).pipe(toArray()));
    expect(values).toHaveLength(1);
  });

  it('delivers RpcException codes as grpc-shaped errors', async () => {
    const error = await firstValueFrom(echo.echo({ failCode: status.NOT_FOUND, failMessage: 'no such thing' })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VrpcCallError);
    expect(error).toMatchObject({ code: status.NOT_FOUND, details: 'no such thing' });
    expect((error as VrpcCallError).metadata).toBeInstanceOf(Metadata);
  });

  it('hides unexpected errors behind INTERNAL', async () => {
    const error = await firstValueFrom(echo.echo({ crash: true })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: status.INTERNAL });
    expect((error as VrpcCallError).details).not.toContain('secret');
  });

  it('answers UNIMPLEMENTED for a method without a handler', async () => {
    const error = await firstValueFrom(echo.missing({ text: 'x' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: status.UNIMPLEMENTED });
  });

  it('fails a call with DEADLINE_EXCEEDED and frees its entry', async () => {
    const error = await firstValueFrom(echo.echo({ text: 'slow', delayMs: 300 }, undefined, { timeoutMs: 50 })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: status.DEADLINE_EXCEEDED });
    expect(client.pendingCount).toBe(0);
  });

  it('serves many calls at once', async () => {
    const texts = Array.from({ length: 200 }, (_, i) => `n${i}`);
    const replies = await Promise.all(texts.map((text) => firstValueFrom(echo.echo({ text, delayMs: 5 }))));
    expect(replies.map((reply) => reply.text)).toEqual(texts);
    expect(client.pendingCount).toBe(0);
  });

  it('supports send() with a { service, rpc } pattern', async () => {
    const reply = await firstValueFrom(client.send<{ text: string }>({ service: 'EchoService', rpc: 'Echo' }, { text: 'via send' }));
    expect(reply).toMatchObject({ text: 'via send' });
  });
});

class RecordingBus extends MemoryBus {
  readonly published: string[] = [];

  override publish(messages: OutgoingMessage[]): Promise<void> {
    this.published.push(...messages.map((message) => message.topic));
    return super.publish(messages);
  }
}

describe('VrpcModule bus through DI', () => {
  it('serves and calls through the bus that busProvider names (useClass)', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [VrpcModule.forRoot({ protos: ECHO_PROTO, busProvider: { useClass: RecordingBus } })],
      controllers: [EchoController],
    }).compile();
    const bus = moduleRef.get<RecordingBus>(VRPC_BUS, { strict: false });
    expect(bus).toBeInstanceOf(RecordingBus);
    const app = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VrpcServer) });
    await app.listen();
    const reply = await firstValueFrom(moduleRef.get(VrpcClient).getService<EchoServiceClient>('EchoService').echo({ text: 'di' }));
    expect(reply.text).toBe('di');
    expect(bus.published).toContain('vrpc.req.vrpc.echo.EchoService');
    await app.close();
  });
});

@Injectable()
class TwoCallers {
  constructor(
    @InjectVrpcClient('billing') readonly billing: VrpcClient,
    @InjectVrpcClient('audit') readonly audit: VrpcClient,
  ) {}
}

describe('VrpcModule named clients on one bus', () => {
  it('registerClient() adds clients with their own settings on the root module bus; both call the server', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        VrpcModule.forRoot({ isGlobal: true, protos: ECHO_PROTO, bus: 'memory', topics: { requestPrefix: 'named.req.' } }),
        VrpcModule.registerClient(
          { name: 'billing', protos: ECHO_PROTO, client: { timeoutMs: 300, instanceIdPrefix: 'billing' } },
          { name: 'audit', protos: ECHO_PROTO, client: { instanceIdPrefix: 'audit' } },
        ),
      ],
      controllers: [EchoController],
      providers: [TwoCallers],
    }).compile();
    const app = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VrpcServer) });
    await app.listen();
    try {
      const { billing, audit } = moduleRef.get(TwoCallers);
      expect(moduleRef.get(getVrpcClientToken('billing'), { strict: false })).toBe(billing);
      const bus = moduleRef.get<VrpcBus>(VRPC_BUS, { strict: false });
      expect(new Set([billing, audit, moduleRef.get(VrpcClient)]).size).toBe(3);
      expect(billing.unwrap<VrpcBus>()).toBe(bus);
      expect(audit.unwrap<VrpcBus>()).toBe(bus);
      expect(billing.instanceId).toMatch(/^billing-/);
      expect(audit.instanceId).toMatch(/^audit-/);
      const [fromBilling, fromAudit] = await Promise.all([
        firstValueFrom(billing.getService<EchoServiceClient>('EchoService').echo({ text: 'billing' })),
        firstValueFrom(audit.getService<EchoServiceClient>('EchoService').echo({ text: 'audit' })),
      ]);
      expect([fromBilling.text, fromAudit.text]).toEqual(['billing', 'audit']);
      // Their own settings: billing's deadline is 300 ms, audit keeps the default (30 s).
      const late = await firstValueFrom(billing.getService<EchoServiceClient>('EchoService').echo({ text: 'late', delayMs: 600 })).catch(
        (e: unknown) => e,
      );
      expect(late).toMatchObject({ code: status.DEADLINE_EXCEEDED });
      const slow = await firstValueFrom(audit.getService<EchoServiceClient>('EchoService').echo({ text: 'slow', delayMs: 600 }));
      expect(slow.text).toBe('slow');
    } finally {
      await app.close();
    }
  });

  it('fails to start when the root module is not global: the bus it shares must be visible', async () => {
    const compiling = Test.createTestingModule({
      imports: [VrpcModule.forRoot({ protos: ECHO_PROTO, bus: 'memory' }), VrpcModule.registerClient({ name: 'lonely', protos: ECHO_PROTO })],
    }).compile();
    await expect(compiling).rejects.toThrow(/VrpcClient:lonely/);
  });

  it('forRoot({ name }) provides the root client under its name too', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [VrpcModule.forRoot({ name: 'main', protos: ECHO_PROTO, bus: 'memory' })],
    }).compile();
    expect(moduleRef.get(getVrpcClientToken('main'), { strict: false })).toBe(moduleRef.get(VrpcClient));
    await moduleRef.close();
  });
});
