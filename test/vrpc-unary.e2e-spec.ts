import { Metadata, status } from '@grpc/grpc-js';
import { type VrpcCallError, VrpcClient, type VrpcModuleOptions } from '@vrpc/nestjs';
import { encodeRequest } from '@vrpc/nestjs/protocol';
import type { Consumer, Producer } from 'kafkajs';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EchoServiceClient } from './fixtures/echo.service.js';
import { isolatedOptions, startEchoApp, type EchoApp } from './support/echo-app.js';
import { testKafka, uniqueName, waitFor } from './support/kafka.js';

describe('vRPC over Kafka: unary calls', () => {
  let options: VrpcModuleOptions;
  let echoApp: EchoApp;
  let echo: EchoServiceClient;
  let producer: Producer;
  const consumers: Consumer[] = [];
  const requestTopicName = () => `${options.topics?.requestPrefix}vrpc.echo.EchoService`;

  /** Reads a topic from the start with a group of its own; returns what arrived so far. */
  async function tap(topic: string) {
    const consumer = testKafka().consumer({ groupId: uniqueName('tap') });
    consumers.push(consumer);
    const seen: { key: string | null; value: Buffer; headers: Record<string, string> }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        seen.push({ key: message.key?.toString() ?? null, value: message.value ?? Buffer.alloc(0), headers });
        return Promise.resolve();
      },
    });
    return seen;
  }

  beforeAll(async () => {
    options = isolatedOptions();
    echoApp = await startEchoApp(options);
    await echoApp.client.connect();
    echo = echoApp.client.getService<EchoServiceClient>('EchoService');
    producer = testKafka().producer();
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.all(consumers.map((consumer) => consumer.disconnect()));
    await producer.disconnect();
    await echoApp.app.close();
  });

  it('serves the first call made right after connect()', async () => {
    const metadata = new Metadata();
    metadata.set('x-trace', 'first');
    const reply = await firstValueFrom(echo.echo({ text: 'first call' }, metadata));
    expect(reply).toEqual({ text: 'first call', servedBy: `pid-${process.pid}`, trace: 'first' });
  });

  it('puts id, service and method in the request headers', async () => {
    const seen = await tap(requestTopicName());
    await firstValueFrom(echo.echo({ text: 'headers' }));
    await waitFor(() => seen.some((m) => m.headers['vrpc-method'] === 'Echo'));
    const request = seen.find((m) => m.headers['vrpc-method'] === 'Echo');
    expect(request?.headers['vrpc-service']).toBe('vrpc.echo.EchoService');
    expect(request?.headers['vrpc-id']).toMatch(/\//);
  });

  it('maps handler outcomes to gRPC status codes', async () => {
    const fail = (request: Parameters<EchoServiceClient['echo']>[0]) =>
      firstValueFrom(echo.echo(request)).then(
        () => undefined,
        (error: unknown) => error as VrpcCallError,
      );
    await expect(fail({ failCode: status.PERMISSION_DENIED, failMessage: 'nope' })).resolves.toMatchObject({
      code: status.PERMISSION_DENIED,
      details: 'nope',
    });
    const internal = await fail({ crash: true });
    expect(internal?.code).toBe(status.INTERNAL);
    expect(internal?.details).not.toContain('secret');
    await expect(firstValueFrom(echo.missing({}))).rejects.toMatchObject({ code: status.UNIMPLEMENTED });
  });

  it('answers INVALID_ARGUMENT when the payload does not decode', async () => {
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff]);
    const call = echoApp.client.callRaw('vrpc.echo.EchoService', 'Echo', garbage);
    await expect(firstValueFrom(call)).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });

  it('fails a call at its deadline and forgets it', async () => {
    const started = Date.now();
    const error = await firstValueFrom(echo.echo({ text: 'late', delayMs: 3_000 }, undefined, { timeoutMs: 300 })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: status.DEADLINE_EXCEEDED });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(echoApp.client.pendingCount).toBe(0);
  });

  it('does not run a request whose deadline has passed', async () => {
    const inboxReady = echoApp.client.connect();
    await inboxReady;
    const expired = encodeRequest({
      requestId: uniqueName('expired'),
      serviceName: 'vrpc.echo.EchoService',
      methodName: 'Echo',
      payload: Buffer.from([0x0a, 0x07, ...Buffer.from('expired')]),
      metadata: {},
      timestamp: Date.now() - 10_000,
      timeoutMs: 1_000,
      clientId: 'test',
      replyTo: '',
      deadline: Date.now() - 9_000,
      taskKey: 'ordering-key',
      attempt: 0,
      oneWay: true,
    });
    await producer.send({ topic: requestTopicName(), messages: [{ key: 'ordering-key', value: expired }] });
    // Same key, same partition, served in order: once this returns, the expired one was seen.
    await firstValueFrom(echo.echo({ text: 'after expired' }, undefined, { taskKey: 'ordering-key' }));
    expect(echoApp.controller.calls).toContain('after expired');
    expect(echoApp.controller.calls).not.toContain('expired');
  });

  it('dead-letters an unreadable message and keeps serving its partition', async () => {
    const dead = await tap(options.topics?.deadLetter ?? '');
    await producer.send({ topic: requestTopicName(), messages: [{ key: 'poison-key', value: Buffer.from('not an envelope') }] });
    const reply = await firstValueFrom(echo.echo({ text: 'after poison' }, undefined, { taskKey: 'poison-key' }));
    expect(reply.text).toBe('after poison');
    await waitFor(() => dead.length > 0);
    expect(dead[0].value.toString()).toBe('not an envelope');
    expect(dead[0].headers['vrpc-dead-reason']).toMatch(/unreadable envelope/);
  });

  it('runs requests concurrently', async () => {
    const started = Date.now();
    const replies = await Promise.all(
      Array.from({ length: 16 }, (_, i) => firstValueFrom(echo.echo({ text: `c${i}`, delayMs: 500 }))),
    );
    expect(replies).toHaveLength(16);
    // One after another this would take 8 s.
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('delivers a fire-and-forget emit() without a reply', async () => {
    await firstValueFrom(echoApp.client.emit({ service: 'EchoService', rpc: 'Echo' }, { text: 'fire and forget' }), {
      defaultValue: undefined,
    });
    await waitFor(() => echoApp.controller.calls.includes('fire and forget'));
    expect(echoApp.controller.calls.filter((text) => text === 'fire and forget')).toHaveLength(1);
  });

  it('fails pending calls clearly when a client closes', async () => {
    const client = new VrpcClient(options);
    await client.connect();
    const outcome = firstValueFrom(client.getService<EchoServiceClient>('EchoService').echo({ text: 'slow', delayMs: 2_000 })).catch(
      (e: unknown) => e,
    );
    await waitFor(() => client.pendingCount === 1);
    await client.close();
    expect(await outcome).toMatchObject({ code: status.UNAVAILABLE, details: expect.stringMatching(/closed/) as unknown });
  });
});
