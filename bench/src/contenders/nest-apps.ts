import { type DynamicModule, type INestApplicationContext, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AsyncMicroserviceOptions, MicroserviceOptions } from '@nestjs/microservices';

/** The root module each bench app is built around; its content comes from `DynamicModule`s. */
@Module({})
class BenchAppModule {}

/** Nest logs only what signals trouble: the bench output is the numbers. */
const logger: ('error' | 'warn')[] = ['error', 'warn'];

/** A root module with the given imports and controllers. */
export function benchModule(parts: Omit<DynamicModule, 'module'>): DynamicModule {
  return { module: BenchAppModule, ...parts };
}

/** Starts a Nest microservice as its docs show, and waits until it listens. */
export async function startMicroservice(
  module: DynamicModule,
  options: MicroserviceOptions | AsyncMicroserviceOptions,
): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice<MicroserviceOptions | AsyncMicroserviceOptions>(module, { ...options, logger });
  await app.listen();
  return app;
}

/** A Nest application context: the way a caller holds its clients. */
export function startContext(module: DynamicModule): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(module, { logger });
}
