import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadGatewayConfig } from './gateway-config.js';
import { GatewayModule } from './gateway.module.js';

/** Runs the gateway until SIGTERM/SIGINT, then shuts down gracefully. */
async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const app = await NestFactory.createApplicationContext(GatewayModule.forRoot(config), {
    logger: ['log', 'warn', 'error'],
  });
  // On a signal: close the subscriptions (finishing calls in flight), then the gRPC channels.
  app.enableShutdownHooks();
}

main().catch((error: unknown) => {
  new Logger('Gateway').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
