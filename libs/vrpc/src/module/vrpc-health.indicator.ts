import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { VrpcBus } from '../bus/bus.interface.js';
import { servingHealth, type VrpcHealthOptions, type VrpcHealthReport } from '../serving/serving-health.js';
import { VrpcServer } from '../server/vrpc-server.js';
import { VRPC_BUS } from './vrpc.tokens.js';

/** One indicator's result, as terminus reads it: `{ [key]: { status: 'up' | 'down', ...details } }`. */
export type VrpcHealthIndicatorResult<Key extends string = string> = Record<Key, { status: 'up' | 'down' } & Record<string, unknown>>;

/** What the indicator uses of terminus' `HealthIndicatorService` (declared here so that our types do not name terminus'). */
export interface HealthIndicatorSessions {
  check(key: string): { up(data?: Record<string, unknown>): unknown; down(data?: Record<string, unknown>): unknown };
}

/**
 * A terminus health indicator for vRPC: down when the bus does not answer within `timeoutMs`,
 * a subscription is not consuming, or a partition lags over `maxLag` (terminus 11 has no
 * "degraded": lag over the limit is down, with the lag in the details). It checks the servers
 * given to `watch()` and the `VrpcServer` of a global `VrpcModule` (the one its `forRoot()`
 * provides), else the app's shared bus.
 */
@Injectable()
export class VrpcHealthIndicator {
  private readonly servers = new Set<Pick<VrpcServer, 'health'>>();

  constructor(
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorSessions,
    @Optional() @Inject(VRPC_BUS) private readonly bus?: VrpcBus,
    @Optional() @Inject(VrpcServer) server?: VrpcServer,
  ) {
    if (server) this.servers.add(server);
  }

  /** Checks this server too (call it in `main.ts` with the strategy given to `connectMicroservice`). */
  watch(server: Pick<VrpcServer, 'health'>): this {
    this.servers.add(server);
    return this;
  }

  async isHealthy<Key extends string = 'vrpc'>(
    key: Key = 'vrpc' as Key,
    options?: VrpcHealthOptions,
  ): Promise<VrpcHealthIndicatorResult<Key>> {
    const reports = await this.reports(options);
    const details = {
      reasons: reports.flatMap((report) => report.reasons),
      bus: reports.map((report) => report.bus),
      subscriptions: reports.flatMap((report) => report.subscriptions),
    };
    const session = this.indicators.check(key);
    const healthy = reports.length > 0 && reports.every((report) => report.healthy);
    if (reports.length === 0) details.reasons.push('no vRPC server watched and no shared bus');
    return (healthy ? session.up(details) : session.down(details)) as VrpcHealthIndicatorResult<Key>;
  }

  private reports(options?: VrpcHealthOptions): Promise<VrpcHealthReport[]> {
    if (this.servers.size > 0) return Promise.all([...this.servers].map((server) => server.health(options)));
    return this.bus ? Promise.all([servingHealth(this.bus, [], options)]) : Promise.resolve([]);
  }
}
