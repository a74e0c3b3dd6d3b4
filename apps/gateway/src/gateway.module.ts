import { type DynamicModule, Module } from '@nestjs/common';
import { VrpcGateway } from '@vrpc/nestjs/gateway';
import type { GatewayConfig } from './gateway-config.js';
import { GATEWAY_CONFIG } from './gateway.constants.js';
import { GatewayRunner } from './gateway-runner.js';
import { HealthServer } from './health.server.js';

/** The gateway app: a `VrpcGateway` run with the app's lifecycle, and its health endpoint. */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: VrpcGateway, useFactory: () => new VrpcGateway(config.gateway) },
        GatewayRunner,
        HealthServer,
      ],
      exports: [VrpcGateway, HealthServer],
    };
  }
}
