import { Test } from '@nestjs/testing';
import { ECHO_PROTO, EchoController, type EchoServiceClient } from '@vrpc/test-support';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { VrpcClient } from '../client/vrpc-client.js';
import { VrpcServer } from '../server/vrpc-server.js';
import type { OutgoingMessage } from '../bus/bus.interface.js';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { VRPC_BUS } from './vrpc.tokens.js';
import { VrpcModule } from './vrpc.module.js';

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
