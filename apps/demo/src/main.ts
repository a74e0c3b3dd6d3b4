import 'reflect-metadata';
import { Metadata } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { VrpcClient, VrpcServer } from '@vrpc/nestjs';
import { firstValueFrom, lastValueFrom, type Observable, toArray } from 'rxjs';
import { AppModule } from './app.module.js';
import type { HelloEachRequest, HelloReply, HelloRequest } from './greeter.controller.js';
import { startTelemetry } from './telemetry.js';

interface GreeterClient {
  sayHello(request: HelloRequest, metadata?: Metadata): Observable<HelloReply>;
  sayHelloToEach(request: HelloEachRequest): Observable<HelloReply>;
}

/** Serves Greeter from Kafka and calls it through VrpcClient, in one process. */
async function main(): Promise<void> {
  const logger = new Logger('Demo');
  const telemetry = startTelemetry(new Logger('Telemetry'));
  const app = await NestFactory.createMicroservice(AppModule, {
    inject: [VrpcServer],
    useFactory: (strategy: VrpcServer) => ({ strategy }),
    logger: ['log', 'warn', 'error'],
  });
  app.enableShutdownHooks();
  await app.listen();

  const client = app.get(VrpcClient);
  await client.connect();
  const greeter = client.getService<GreeterClient>('Greeter');
  const metadata = new Metadata();
  metadata.set('x-caller', 'demo');
  for (const name of ['Ada', 'Grace', 'Linus']) {
    const started = performance.now();
    const reply = await firstValueFrom(greeter.sayHello({ name }, metadata));
    logger.log(`${reply.message} (served by ${reply.servedBy}, ${(performance.now() - started).toFixed(1)} ms over the bus)`);
  }
  const started = performance.now();
  const streamed = await lastValueFrom(greeter.sayHelloToEach({ names: ['Ada', 'Grace', 'Linus'] }).pipe(toArray()));
  const elapsed = (performance.now() - started).toFixed(1);
  logger.log(
    `a server stream: ${streamed.map((reply) => reply.message).join(' ')} (${streamed.length} messages, ${elapsed} ms over the bus)`,
  );
  await telemetry.printMetrics();
  await app.close();
  await telemetry.shutdown();
  logger.log('demo finished');
}

main().catch((error: unknown) => {
  new Logger('Demo').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
