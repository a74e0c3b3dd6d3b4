import { Controller, Get, Global, Module } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import type { VrpcHealthReport } from '../serving/serving-health.js';
import { VrpcHealthIndicator } from './vrpc-health.indicator.js';
import { VrpcHealthModule } from './vrpc-health.module.js';
import { VRPC_BUS } from './vrpc.tokens.js';

const report = (healthy: boolean): VrpcHealthReport => ({
  healthy,
  bus: { healthy: true },
  subscriptions: [{ topics: ['t'], group: 'g', consuming: true, restarts: 0, lag: [{ topic: 't', partition: 0, lag: healthy ? 0 : 9 }] }],
  reasons: healthy ? [] : ['t[0] lag 9 is over 5'],
});

describe('VrpcHealthIndicator', () => {
  it('is up or down as the watched servers report, with the lag in the details', async () => {
    let healthy = true;
    const indicator = new VrpcHealthIndicator(new HealthIndicatorService()).watch({ health: () => Promise.resolve(report(healthy)) });
    expect(await indicator.isHealthy()).toMatchObject({ vrpc: { status: 'up', reasons: [] } });
    healthy = false;
    const down = await indicator.isHealthy('rpc', { maxLag: 5 });
    expect(down).toMatchObject({ rpc: { status: 'down', reasons: ['t[0] lag 9 is over 5'] } });
    expect(down.rpc.subscriptions).toEqual(report(false).subscriptions);
  });

  it('checks the shared bus when no server is watched, and is down without either', async () => {
    const bus = new MemoryBus();
    const indicator = new VrpcHealthIndicator(new HealthIndicatorService(), bus);
    expect((await indicator.isHealthy()).vrpc.status).toBe('down');
    await bus.connect();
    expect((await indicator.isHealthy()).vrpc.status).toBe('up');
    const alone = await new VrpcHealthIndicator(new HealthIndicatorService()).isHealthy();
    expect(alone.vrpc).toMatchObject({ status: 'down', reasons: ['no vRPC server watched and no shared bus'] });
  });

  it('serves a terminus @HealthCheck() controller through VrpcHealthModule', async () => {
    @Controller('health')
    class HealthController {
      constructor(
        private readonly health: HealthCheckService,
        private readonly vrpc: VrpcHealthIndicator,
      ) {}

      @Get()
      @HealthCheck()
      check() {
        return this.health.check([() => this.vrpc.isHealthy('vrpc', { maxLag: 1_000 })]);
      }
    }
    const bus = new MemoryBus();
    await bus.connect();
    const moduleRef = await Test.createTestingModule({ imports: [VrpcHealthModule], controllers: [HealthController] })
      .overrideProvider(VrpcHealthIndicator)
      .useFactory({ factory: (service: HealthIndicatorService) => new VrpcHealthIndicator(service, bus), inject: [HealthIndicatorService] })
      .compile();
    const result = await moduleRef.get(HealthController).check();
    expect(result).toMatchObject({ status: 'ok', info: { vrpc: { status: 'up' } } });
    await moduleRef.close();
  });

  it('injects the shared bus from a global VRPC_BUS (VrpcModule.forRoot({ isGlobal: true }))', async () => {
    const bus = new MemoryBus();
    await bus.connect();
    @Global()
    @Module({ providers: [{ provide: VRPC_BUS, useValue: bus }], exports: [VRPC_BUS] })
    class SharedBus {}
    const moduleRef = await Test.createTestingModule({ imports: [SharedBus, VrpcHealthModule] }).compile();
    const indicator = moduleRef.get(VrpcHealthIndicator);
    expect((await indicator.isHealthy()).vrpc.status).toBe('up');
    await bus.close();
    expect((await indicator.isHealthy()).vrpc).toMatchObject({ status: 'down', reasons: ['the bus is unreachable'] });
    await moduleRef.close();
  });
});
