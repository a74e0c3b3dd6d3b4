import type { INestMicroservice } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { type VrpcBus, VrpcClient, VrpcModule, type VrpcModuleOptions, VrpcServer } from '@vrpc/nestjs';
import { firstValueFrom } from 'rxjs';
import { afterAll, expect, it } from 'vitest';
import { EchoController } from '../../fixtures/echo.controller.js';
import type { EchoServiceClient } from '../../fixtures/echo.service.js';
import type { CreatedNames } from '../conformance-support.js';
import type { VrpcBusChoice } from './scenario-context.js';

/** The bus given as an instance through DI (forRootAsync), instead of by name. */
export function busThroughDiScenarios(
  choice: VrpcBusChoice,
  scoped: () => VrpcModuleOptions,
  createdBy: (options: VrpcModuleOptions) => CreatedNames,
): void {
  let app: INestMicroservice | undefined;
  let options: VrpcModuleOptions | undefined;

  afterAll(async () => {
    await app?.close();
    if (options) await choice.cleanup?.(createdBy(options));
  });

  it('serves calls with a bus instance injected by forRootAsync', async () => {
    const BUS = Symbol('conformance bus');
    const scopedOptions = scoped();
    options = scopedOptions;
    const moduleRef = await Test.createTestingModule({
      imports: [
        VrpcModule.forRootAsync({
          imports: [
            {
              module: class BusModule {},
              providers: [{ provide: BUS, useFactory: () => choice.create() }],
              exports: [BUS],
              global: false,
            },
          ],
          inject: [BUS],
          useFactory: (bus: VrpcBus) => ({ ...scopedOptions, bus }),
        }),
      ],
      controllers: [EchoController],
    }).compile();
    app = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VrpcServer), logger: ['error', 'warn'] });
    await app.listen();
    const client = moduleRef.get(VrpcClient);
    await client.connect();
    const reply = await firstValueFrom(client.getService<EchoServiceClient>('EchoService').echo({ text: 'through DI' }));
    expect(reply.text).toBe('through DI');
    expect(client.unwrap<VrpcBus>()).toBe(moduleRef.get<VrpcBus>(BUS, { strict: false }));
  });
}
