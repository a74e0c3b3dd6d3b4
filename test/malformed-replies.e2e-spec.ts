import { Metadata, status } from '@grpc/grpc-js';
import { VrpcClient, type VrpcModuleOptions } from '@vrpc/nestjs';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, type RequestEnvelope } from '@vrpc/nestjs/protocol';
import type { Consumer, Producer } from 'kafkajs';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EchoServiceClient } from './fixtures/echo.service.js';
import { type EchoApp, isolatedOptions, startEchoApp } from './support/echo-app.js';
import { testKafka, uniqueName, waitFor, withTestAdmin } from './support/kafka.js';

const ECHO = 'vrpc.echo.EchoService';

/** Reads every message of `topic` from the start into `seen`, decoded by `decode`. */
async function readAll<T>(topic: string, decode: (value: Buffer) => T, seen: T[]): Promise<Consumer> {
  const consumer = testKafka().consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      seen.push(decode(message.value ?? Buffer.alloc(0)));
      return Promise.resolve();
    },
  });
  return consumer;
}

/** What a pending call ended with, and how long after the malformed reply was produced. */
async function outcome(call: Promise<unknown>, since: () => number): Promise<{ code?: number; details?: string; ms: number }> {
  try {
    await call;
    return { ms: since() };
  } catch (error: unknown) {
    const { code, details } = error as { code?: number; details?: string };
    return { code, details, ms: since() };
  }
}

describe('vRPC over Kafka: malformed replies end their calls at once', () => {
  // No server: the client's calls wait until the test answers them with raw replies.
  let options: VrpcModuleOptions;
  let client: VrpcClient;
  let producer: Producer;
  let requests: Consumer;
  const seen: RequestEnvelope[] = [];

  beforeAll(async () => {
    options = isolatedOptions({ client: { timeoutMs: 20_000 } });
    client = new VrpcClient(options);
    await client.connect();
    producer = testKafka().producer();
    await producer.connect();
    requests = await readAll(`${options.topics?.requestPrefix ?? ''}${ECHO}`, decodeRequest, seen);
  });

  afterAll(async () => {
    await requests.disconnect();
    await producer.disconnect();
    await client.close();
  });

  /** Starts a call, waits for its request, answers it with `value` and returns how the call ended. */
  async function answer(text: string, value: (request: RequestEnvelope) => Buffer, headers = true) {
    const call = firstValueFrom(client.getService<EchoServiceClient>('EchoService').echo({ text }));
    call.catch(() => undefined);
    await waitFor(() => seen.some((request) => request.payload.length > 0 && decodeEchoText(request) === text), 15_000);
    const request = seen.find((candidate) => decodeEchoText(candidate) === text) as RequestEnvelope;
    const sent = Date.now();
    await producer.send({
      topic: request.replyTo,
      messages: [{ partition: request.replyPartition, value: value(request), headers: headers ? { 'vrpc-id': request.requestId } : {} }],
    });
    return outcome(call, () => Date.now() - sent);
  }

  const reply = (request: RequestEnvelope, metadata: Record<string, string>, payload = Buffer.from([0x0a, 0x02, 0x6f, 0x6b])) =>
    encodeResponse({ requestId: request.requestId, payload, statusCode: status.OK, errorMessage: '', metadata, timestamp: Date.now() });

  it('a reply whose metadata gRPC rejects fails its call with INTERNAL naming the key, not DEADLINE_EXCEEDED', async () => {
    const ended = await answer('bad-key', (request) => reply(request, { 'x-ok': 'v', 'bad key': 'v' }));
    expect(ended).toMatchObject({ code: status.INTERNAL, details: expect.stringContaining('"bad key"') as unknown });
    expect(ended.ms).toBeLessThan(2_000);
  });

  it('a reply with a non-ASCII text value fails its call with INTERNAL', async () => {
    const ended = await answer('bad-value', (request) => reply(request, { 'x-name': 'Zoë' }));
    expect(ended).toMatchObject({ code: status.INTERNAL, details: expect.stringContaining('"x-name"') as unknown });
    expect(ended.ms).toBeLessThan(2_000);
  });

  it('an undecodable envelope fails the call named by its vrpc-id header with INTERNAL', async () => {
    const ended = await answer('garbage', () => Buffer.from([0xff, 0xff, 0xff, 0xff]));
    expect(ended).toMatchObject({ code: status.INTERNAL, details: expect.stringContaining('could not be read') as unknown });
    expect(ended.ms).toBeLessThan(2_000);
  });

  it('a reply whose payload is not the method’s reply message fails its call with INTERNAL', async () => {
    const ended = await answer('bad-payload', (request) => reply(request, {}, Buffer.from([0x0a, 0xff, 0xff, 0xff])));
    expect(ended).toMatchObject({ code: status.INTERNAL, details: expect.stringContaining('could not be decoded') as unknown });
    expect(ended.ms).toBeLessThan(2_000);
  });

  it('still answers a good reply on the same partition afterwards', async () => {
    const ended = await answer('good', (request) => reply(request, { 'x-ok': 'v' }));
    expect(ended.code).toBeUndefined();
  });
});

/** The `text` of an EchoRequest payload (field 1, a short string). */
function decodeEchoText(request: RequestEnvelope): string {
  const bytes = Buffer.from(request.payload);
  return bytes[0] === 0x0a ? bytes.subarray(2, 2 + bytes[1]).toString() : '';
}

describe('vRPC over Kafka: requests whose metadata gRPC cannot carry', () => {
  let options: VrpcModuleOptions;
  let server: EchoApp;
  let producer: Producer;
  let replies: Consumer;
  const answered: ReturnType<typeof decodeResponse>[] = [];
  const replyTopic = uniqueName('raw-replies');

  beforeAll(async () => {
    options = isolatedOptions({ server: { replyTopics: [replyTopic] } });
    server = await startEchoApp(options);
    await withTestAdmin((admin) => admin.createTopics({ topics: [{ topic: replyTopic, numPartitions: 1 }], waitForLeaders: true }));
    producer = testKafka().producer();
    await producer.connect();
    replies = await readAll(replyTopic, decodeResponse, answered);
  });

  afterAll(async () => {
    await replies.disconnect();
    await producer.disconnect();
    await server.app.close();
  });

  const request = (requestId: string, metadata: Record<string, string>): RequestEnvelope => ({
    requestId,
    serviceName: ECHO,
    methodName: 'Echo',
    payload: Buffer.from([0x0a, requestId.length, ...Buffer.from(requestId)]),
    metadata,
    timestamp: Date.now(),
    timeoutMs: 10_000,
    clientId: 'raw',
    replyTo: replyTopic,
    replyPartition: 0,
    deadline: Date.now() + 10_000,
    taskKey: '',
    attempt: 0,
    oneWay: false,
  });

  it.each([
    ['a key with a space', 'raw-space', { 'bad key': 'v' }, 'bad key'],
    ['a key with a colon', 'raw-colon', { 'x:trace': 'v' }, 'x:trace'],
    ['a key with a newline (escaped in the reply)', 'raw-newline', { 'x\ny': 'v' }, 'x\\ny'],
    ['a non-ASCII text value', 'raw-text', { 'x-name': 'Zoë' }, 'x-name'],
  ])('%s gets INVALID_ARGUMENT naming the key, and the handler never runs', async (_case, id, metadata, named) => {
    await producer.send({
      topic: `${options.topics?.requestPrefix ?? ''}${ECHO}`,
      messages: [{ key: id, value: encodeRequest(request(id, metadata)) }],
    });
    await waitFor(() => answered.some((reply) => reply.requestId === id), 10_000);
    const reply = answered.find((candidate) => candidate.requestId === id);
    expect(reply).toMatchObject({ statusCode: status.INVALID_ARGUMENT, errorMessage: expect.stringContaining(`"${named}"`) as unknown });
    expect(server.controller.calls).not.toContain(id);
  });

  it('a VrpcClient call with repeated values (and an empty binary one) reaches the handler with each value as sent, not joined', async () => {
    const metadata = new Metadata();
    metadata.add('x-trace', 'first, with a comma');
    metadata.add('x-trace', 'second');
    metadata.add('x-blob-bin', Buffer.alloc(0));
    const echo = server.client.getService<EchoServiceClient>('EchoService');
    const reply = await firstValueFrom(echo.echo({ text: 'fidelity' }, metadata));
    expect(reply.trace).toBe('first, with a comma');
  });

  it('a request with repeated values (entries beside the map) reaches the handler', async () => {
    const id = 'raw-repeated';
    const envelope = { ...request(id, { 'x-trace': 'one, two' }), metadataEntries: [{ key: 'x-trace', values: ['one', 'two'] }] };
    await producer.send({
      topic: `${options.topics?.requestPrefix ?? ''}${ECHO}`,
      messages: [{ key: id, value: encodeRequest(envelope) }],
    });
    await waitFor(() => answered.some((reply) => reply.requestId === id), 10_000);
    const reply = answered.find((candidate) => candidate.requestId === id);
    expect(reply).toMatchObject({ statusCode: status.OK });
    // The handler answers with the first value of x-trace (EchoReply.trace, field 3): "one", not "one, two".
    expect(Buffer.from(reply?.payload ?? []).toString('latin1')).toContain('\x1a\x03one');
    expect(server.controller.calls).toContain(id);
  });
});
