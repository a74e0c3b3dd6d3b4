// What a server and a client publish is bounded (issue 13, points 2, 3 and 5), on the real
// broker: a reply that cannot be published never holds its partition, sizes fail at once and
// clearly, batched replies keep their own outcomes, and shutdown has a deadline.
import { status } from '@grpc/grpc-js';
import { createBus, VrpcClient, VrpcPublishError, type VrpcModuleOptions } from '@vrpc/nestjs';
import { encodeRequest, VRPC_HEADERS } from '@vrpc/nestjs/protocol';
import type { KafkaMessage } from 'kafkajs';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { EchoServiceClient } from './fixtures/echo.service.js';
import { SideEffects } from './fixtures/side-effects.js';
import { isolatedOptions, startEchoApp, type EchoApp } from './support/echo-app.js';
import { testBrokers, testKafka, uniqueName, waitFor, withTestAdmin } from './support/kafka.js';
import { startServerProcess } from './support/server-process.js';

const SERVICE = 'vrpc.echo.EchoService';
const SERVER = new URL('./processes/echo-server.ts', import.meta.url);

/** An EchoRequest with only `text` set, encoded as protobuf (field 1, length-delimited). */
function echoPayload(text: string): Buffer {
  const bytes = Buffer.from(text);
  const length: number[] = [];
  for (let n = bytes.length; ; n >>>= 7) {
    if (n < 0x80) {
      length.push(n);
      break;
    }
    length.push((n & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from([0x0a, ...length]), bytes]);
}

/** Options whose request topic has one partition: every request queues behind the one before. */
function onePartition(): VrpcModuleOptions {
  const options = isolatedOptions();
  return { ...options, topics: { ...options.topics, requestPartitions: 1 } };
}

const requestTopic = (options: VrpcModuleOptions) => `${options.topics?.requestPrefix ?? ''}${SERVICE}`;
const group = (options: VrpcModuleOptions) => `${options.server?.groupPrefix ?? ''}${SERVICE}`;

/** Produces raw messages to a topic, as a producer that is not vRPC would. */
async function produce(topic: string, messages: { key?: string; value: Buffer; headers?: Record<string, string> }[]): Promise<void> {
  const producer = testKafka().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}

/** The next offset of partition 0 of `topic` and the group's committed one there. */
async function positions(options: VrpcModuleOptions): Promise<{ end: number; committed: number }> {
  return withTestAdmin(async (admin) => {
    const topic = requestTopic(options);
    const [end] = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: group(options), topics: [topic] });
    return { end: Number(end.high), committed: Number(committed.partitions[0].offset) };
  });
}

/** Every message on `topic` so far, read by a throwaway group. */
async function readAll(topic: string, count: number): Promise<KafkaMessage[]> {
  const consumer = testKafka().consumer({ groupId: uniqueName('read') });
  const seen: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ eachMessage: ({ message }) => Promise.resolve(void seen.push(message)) });
  try {
    await waitFor(() => seen.length >= count, 20_000);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/** A call's outcome: its reply text, or its error code and details. */
async function outcome(call: Promise<{ text: string }>): Promise<{ code: number; text?: string; details?: string; ms: number }> {
  const started = Date.now();
  try {
    const reply = await call;
    return { code: status.OK, text: reply.text, ms: Date.now() - started };
  } catch (error: unknown) {
    const { code, details } = error as { code: number; details: string };
    return { code, details, ms: Date.now() - started };
  }
}

describe('bounded output: retries, sizes, shutdown', () => {
  const apps: EchoApp[] = [];
  const clients: VrpcClient[] = [];

  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((client) => client.close()));
    await Promise.allSettled(apps.splice(0).map((app) => app.app.close()));
  });

  async function serve(options: VrpcModuleOptions): Promise<EchoApp> {
    const app = await startEchoApp(options);
    apps.push(app);
    return app;
  }

  async function echoClient(options: VrpcModuleOptions): Promise<EchoServiceClient> {
    const client = new VrpcClient(options);
    clients.push(client);
    await client.connect();
    return client.getService<EchoServiceClient>('EchoService');
  }

  it('gives up a reply to a missing topic at once: committed past, the next request answered, a restart runs neither again', async () => {
    const base = onePartition();
    // Allowed as a reply address, so that the publish itself meets the missing topic.
    const options = { ...base, server: { ...base.server, replyTopics: /no-such-topic\..*/ } };
    const first = await serve(options);
    const echo = await echoClient(options);
    const deadline = Date.now() + 600_000;
    await produce(requestTopic(options), [
      {
        key: 'raw-missing-reply',
        value: encodeRequest({
          requestId: 'raw-missing-reply',
          serviceName: SERVICE,
          methodName: 'Echo',
          payload: echoPayload('to nowhere'),
          metadata: {},
          timestamp: Date.now(),
          timeoutMs: 600_000,
          clientId: 'raw',
          replyTo: uniqueName('no-such-topic'),
          replyPartition: 0,
          deadline,
          taskKey: '',
          attempt: 0,
          oneWay: false,
        }),
        headers: { [VRPC_HEADERS.id]: 'raw-missing-reply' },
      },
    ]);
    await waitFor(() => first.controller.calls.includes('to nowhere'));
    const next = await outcome(firstValueFrom(echo.echo({ text: 'next on the partition' })));
    expect(next).toMatchObject({ code: status.OK, text: 'next on the partition' });
    expect(next.ms).toBeLessThan(2_000);
    // Both committed: the one whose reply could not go anywhere holds nothing.
    await waitFor(async () => {
      const { end, committed } = await positions(options);
      return committed === end;
    }, 5_000);
    await first.app.close();
    apps.splice(apps.indexOf(first), 1);
    const second = await serve(options);
    expect(await outcome(firstValueFrom(echo.echo({ text: 'after the restart' })))).toMatchObject({ code: status.OK });
    expect(second.controller.calls).toEqual(['after the restart']);
  }, 60_000);

  it('refuses a request over the bus max at once with RESOURCE_EXHAUSTED, publishing nothing', async () => {
    const options = isolatedOptions();
    const echo = await echoClient(options);
    await serve(options);
    const before = await withTestAdmin((admin) => admin.fetchTopicOffsets(requestTopic(options)));
    const refused = await outcome(firstValueFrom(echo.echo({ text: 'x'.repeat(1_100_000) })));
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(refused.details).toMatch(/the request is 1100\d{3} bytes, over the bus's limit of 1048076 bytes/);
    expect(refused.ms).toBeLessThan(500);
    const after = await withTestAdmin((admin) => admin.fetchTopicOffsets(requestTopic(options)));
    expect(after.map((p) => p.high)).toEqual(before.map((p) => p.high));
  }, 60_000);

  it('fails a request the broker refuses as too large at once (a bus that states a higher max)', async () => {
    const options = isolatedOptions();
    const client = { ...options, bus: { type: 'kafka' as const, brokers: testBrokers(), maxMessageBytes: 10_000_000 } };
    const echo = await echoClient(client);
    const refused = await outcome(firstValueFrom(echo.echo({ text: 'x'.repeat(1_100_000) })));
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(refused.details).toMatch(/larger than the max message size/);
    expect(refused.ms).toBeLessThan(2_000);
  }, 60_000);

  it('answers a reply over the max with RESOURCE_EXHAUSTED, quickly, instead of a deadline', async () => {
    const options = isolatedOptions();
    await serve({ ...options, bus: { type: 'kafka', brokers: testBrokers(), maxMessageBytes: 100_000 } });
    const echo = await echoClient(options);
    const big = await outcome(firstValueFrom(echo.echo({ text: 'y'.repeat(200_000) })));
    expect(big.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(big.details).toMatch(/the reply is 200\d{3} bytes, over the bus's limit of 100000 bytes/);
    expect(big.ms).toBeLessThan(2_000);
    expect(await outcome(firstValueFrom(echo.echo({ text: 'small' })))).toMatchObject({ code: status.OK, text: 'small' });
  }, 60_000);

  it('delivers every one of several legal 400 KB replies batched together', async () => {
    const options = isolatedOptions();
    await serve(options);
    const echo = await echoClient(options);
    const texts = Array.from({ length: 6 }, (_, i) => `${i}`.repeat(400_000));
    const outcomes = await Promise.all(texts.map((text) => outcome(firstValueFrom(echo.echo({ text })))));
    expect(outcomes.map((result) => result.code)).toEqual(texts.map(() => status.OK));
    expect(outcomes.map((result) => result.text?.length)).toEqual(texts.map(() => 400_000));
    // At once, not after retries that happen to split the batch (about 12 s before the batcher capped it).
    expect(Math.max(...outcomes.map((result) => result.ms))).toBeLessThan(5_000);
  }, 60_000);

  it('dead-letters an over-large message as a truncated copy, and a restart runs no answered request again', async () => {
    const options = onePartition();
    const first = await serve(options);
    const echo = await echoClient(options);
    // Under the broker's limit itself; its dead-letter copy (with the reason headers) is not.
    const garbage = Buffer.alloc(1_048_400, 0xff);
    await produce(requestTopic(options), [{ key: 'garbage', value: garbage }]);
    const answered = await Promise.all(Array.from({ length: 5 }, (_, i) => outcome(firstValueFrom(echo.echo({ text: `answered ${i}` })))));
    expect(answered.map((result) => result.code)).toEqual(answered.map(() => status.OK));
    const [dead] = await readAll(options.topics?.deadLetter ?? '', 1);
    const headers = Object.fromEntries(Object.entries(dead.headers ?? {}).map(([name, value]) => [name, String(value)]));
    expect(headers[VRPC_HEADERS.deadOriginalBytes]).toBe(String(garbage.length));
    expect(headers[VRPC_HEADERS.deadTruncated]).toMatch(/^too-large: /);
    expect(headers[VRPC_HEADERS.deadReason]).toMatch(/unreadable|envelope/);
    expect(dead.value?.length).toBe(64 * 1024);
    await waitFor(async () => {
      const { end, committed } = await positions(options);
      return committed === end;
    }, 5_000);
    await first.app.close();
    apps.splice(apps.indexOf(first), 1);
    const second = await serve(options);
    expect(await outcome(firstValueFrom(echo.echo({ text: 'after the restart' })))).toMatchObject({ code: status.OK });
    // Only the new call ran: none of the five answered before the restart ran again.
    expect(second.controller.calls).toEqual(['after the restart']);
  }, 60_000);

  it.each(['kafka', 'platformatic-kafka'] as const)(
    'refuses a partition the topic does not have, finally, on the %s bus',
    async (type) => {
      const bus = createBus({ type, brokers: testBrokers() });
      await bus.connect();
      try {
        const topic = uniqueName('one-partition');
        await bus.ensureTopics([{ topic, partitions: 1 }]);
        const refused = bus.publish([{ topic, partition: 7, value: Buffer.from('nowhere') }]);
        await expect(refused).rejects.toBeInstanceOf(VrpcPublishError);
        await expect(refused).rejects.toMatchObject({ final: true, reason: expect.stringMatching(/unknown-(partition|topic)/) as unknown });
        const missing = bus.publish([{ topic: uniqueName('missing'), partition: 0, value: Buffer.from('nowhere') }]);
        await expect(missing).rejects.toMatchObject({ final: true, reason: 'unknown-topic' });
      } finally {
        await bus.close();
      }
    },
    60_000,
  );

  it('exits on SIGTERM within drainTimeoutMs + 2 s while a handler never returns', async () => {
    const options = isolatedOptions({ server: { drainTimeoutMs: 2_000 } });
    // The process loads its own protos.
    const processOptions: Omit<VrpcModuleOptions, 'protos'> = { bus: options.bus, topics: options.topics, server: options.server };
    const scope = `${uniqueName('sigterm')}:effects`;
    const effects = new SideEffects(scope);
    const server = await startServerProcess(SERVER, { VRPC_TEST_OPTIONS: JSON.stringify(processOptions), VRPC_TEST_EFFECTS: scope });
    try {
      const echo = await echoClient(options);
      const blocked = outcome(firstValueFrom(echo.echo({ text: 'forever', delayMs: 600_000 }, undefined, { timeoutMs: 600_000 })));
      await waitFor(async () => (await effects.runs('forever')) === 1, 20_000);
      const started = Date.now();
      server.kill('SIGTERM');
      await server.exited;
      const took = Date.now() - started;
      console.log(`SIGTERM with a handler that never returns: exited in ${took} ms (drainTimeoutMs 2000)`);
      expect(took).toBeLessThan(4_000);
      void blocked;
    } finally {
      if (server.alive()) server.kill('SIGKILL');
      await effects.close();
    }
  }, 60_000);
});
