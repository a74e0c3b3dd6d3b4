import type { Metadata } from '@grpc/grpc-js';
import type { INestMicroservice } from '@nestjs/common';
import { Transport } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { VRPC_PATH_METADATA, VrpcClient, type VrpcModuleOptions } from '@vrpc/nestjs';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { EchoController } from './fixtures/echo.controller.js';
import { ECHO_PROTO, type EchoServiceClient } from './fixtures/echo.service.js';
import { isolatedOptions, startEchoApp } from './support/echo-app.js';
import { freePort } from './support/free-port.js';
import { withTestAdmin } from './support/kafka.js';
import { waitFor } from './support/wait-for.js';

const SERVICE = 'vrpc.echo.EchoService';

async function grpcServer(url: string): Promise<INestMicroservice> {
  const moduleRef = await Test.createTestingModule({ controllers: [EchoController] }).compile();
  const app = moduleRef.createNestMicroservice({ transport: Transport.GRPC, options: { ...ECHO_PROTO, url }, logger: ['error'] });
  await app.listen();
  return app;
}

/** Messages written to `topic` so far (0 while it does not exist). */
async function requestsOnTopic(topic: string): Promise<number> {
  try {
    const offsets = await withTestAdmin((admin) => admin.fetchTopicOffsets(topic));
    return offsets.reduce((sum, offset) => sum + Number(offset.high) - Number(offset.low), 0);
  } catch {
    return 0;
  }
}

/** Calls Echo and returns the reply with the path that served it. */
async function echoWithPath(client: VrpcClient, text: string, timeoutMs: number) {
  let path = '';
  const onResponseMetadata = (metadata: Metadata) => (path = String(metadata.get(VRPC_PATH_METADATA)[0] ?? ''));
  const reply = await firstValueFrom(
    client.getService<EchoServiceClient>('EchoService').echo({ text }, undefined, { timeoutMs, onResponseMetadata }),
  );
  return { reply, path };
}

describe('fallback routes', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('direct-first: calls the gRPC target directly while it is up', async () => {
    const url = `127.0.0.1:${await freePort()}`;
    const target = await grpcServer(url);
    closers.push(() => target.close());
    const client = new VrpcClient(isolatedOptions({ client: { fallback: { [SERVICE]: { mode: 'direct-first', address: url } } } }));
    closers.push(() => client.close());
    const { reply, path } = await echoWithPath(client, 'straight', 5_000);
    expect(reply.text).toBe('straight');
    expect(path).toBe('direct');
  });

  it('direct-first: queues the call on the bus while the target is down, served once a vRPC server is up', async () => {
    const options: VrpcModuleOptions = isolatedOptions({
      client: { fallback: { [SERVICE]: { mode: 'direct-first', address: `127.0.0.1:${await freePort()}` } } },
    });
    const client = new VrpcClient(options);
    closers.push(() => client.close());
    const outcome = echoWithPath(client, 'stored and forwarded', 60_000);
    let settled = false;
    outcome.then(
      () => (settled = true),
      () => (settled = true),
    );
    await waitFor(() => client.pendingCount === 1);
    // The direct attempt failed and the request is stored on the bus: its topic holds it.
    await waitFor(() => requestsOnTopic(`${options.topics?.requestPrefix}${SERVICE}`).then((count) => count > 0), 30_000);
    // Nothing can serve it yet (the target is down and no vRPC server runs): the call still waits.
    expect(settled).toBe(false);
    expect(client.pendingCount).toBe(1);
    const server = await startEchoApp(options);
    closers.push(() => server.app.close());
    const { reply, path } = await outcome;
    expect(reply.text).toBe('stored and forwarded');
    expect(path).toBe('bus');
    expect(server.controller.calls).toContain('stored and forwarded');
  });

  it('bus-first: calls the target directly when the bus is unreachable', async () => {
    const url = `127.0.0.1:${await freePort()}`;
    const target = await grpcServer(url);
    closers.push(() => target.close());
    const client = new VrpcClient(
      isolatedOptions({
        bus: { type: 'kafka', brokers: [`127.0.0.1:${await freePort()}`], client: { retry: { retries: 0 } } },
        client: { fallback: { [SERVICE]: { mode: 'bus-first', address: url, busTimeoutMs: 1_000 } } },
      }),
    );
    closers.push(() => client.close());
    const started = Date.now();
    const { reply, path } = await echoWithPath(client, 'around the bus', 10_000);
    expect(reply.text).toBe('around the bus');
    expect(path).toBe('direct');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
