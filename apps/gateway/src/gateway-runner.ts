import { type BeforeApplicationShutdown, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { VrpcGateway } from '@vrpc/nestjs/gateway';

/** Starts the gateway with the app, and closes it first on shutdown. */
@Injectable()
export class GatewayRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(private readonly gateway: VrpcGateway) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.gateway.start();
  }

  /** Stops taking requests, finishes those in flight, then closes the gRPC channels and the bus. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.gateway.close();
  }
}
