import { status } from '@grpc/grpc-js';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ECHO_PROTO, EchoController, type EchoServiceClient } from '@vrpc/test-support';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { VrpcClient } from '../client/vrpc-client.js';
import { VrpcServer } from '../server/vrpc-server.js';
import type { OutgoingMessage, VrpcBus } from '../bus/bus.interface.js';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { VRPC_BUS } from './vrpc.tokens.js';
import { getVrpcClientToken, InjectVrpcClient, VrpcModule } from './vrpc.module.js';

// The core scenarios on the in-memory bus (calls, errors, deadlines, many calls at once, send())
// are the shared suite that bus/memory/memory.bus.spec.ts runs; this spec keeps what is the module's own.

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
      imports: [
        VrpcModule.forRoot({ protos: ECHO_PROTO, bus: 'memory' }),
        VrpcModule.registerClient({ name: 'lonely', protos: ECHO_PROTO }),
      ],
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
