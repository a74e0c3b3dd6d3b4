import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { VrpcGateway } from '@vrpc/nestjs/gateway';
import type { GatewayConfig } from './gateway-config.js';
import { GATEWAY_CONFIG } from './gateway.constants.js';

/**
 * `GET /health`: 200 while the gateway runs, reaches the bus, consumes, and no lag is over `maxLag`, else 503; the JSON body
 * gives the reasons, each subscription's lag and each target's connection state. It answers through shutdown (503) and closes last.
 */
@Injectable()
export class HealthServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HealthServer.name);
  private server: Server | undefined;

  constructor(
    private readonly gateway: VrpcGateway,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** The bound port, once listening. */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    const endpoint = this.config.health;
    if (!endpoint) return;
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url !== '/health') {
        response.writeHead(404).end();
        return;
      }
      this.gateway.health({ maxLag: endpoint.maxLag }).then(
        (health) => response.writeHead(health.healthy ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(health)),
        (error: unknown) => response.writeHead(503).end(String(error)),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(endpoint.port, endpoint.host, resolve);
    });
    this.server = server;
    this.logger.log(`health on http://${endpoint.host}:${this.port}/health`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
