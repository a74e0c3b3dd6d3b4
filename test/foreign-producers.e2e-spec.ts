import { join } from 'node:path';
import { Controller, Logger } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { VrpcClient, VrpcModule, VrpcServer, type VrpcBusConfig, type VrpcModuleOptions } from '@vrpc/nestjs';
import type { Consumer, Kafka } from 'kafkajs';
import protobuf from 'protobufjs';
import { firstValueFrom, type Observable } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isolatedOptions, startEchoApp, type EchoApp } from './support/echo-app.js';
import { testBrokers, testKafka, uniqueName, waitFor } from './support/kafka.js';

// The original vRPC's messages: fields 1–8 of VRPCRequest, 1–6 of VRPCResponse, nothing else.
const ORIGINAL = protobuf.parse(`
syntax = "proto3";
message VRPCRequest {
  string request_id = 1; string service_name = 2; string method_name = 3; bytes payload = 4;
  map<string, string> metadata = 5; int64 timestamp = 6; int64 timeout_ms = 7; string client_id = 8;
}
message VRPCResponse {
  string request_id = 1; bytes payload = 2; int32 status_code = 3; string error_message = 4;
  map<string, string> metadata = 5; int64 timestamp = 6;
}
message EchoRequest { string text = 1; }
message EchoReply { string text = 1; string served_by = 2; }
`).root;
const VRPCRequest = ORIGINAL.lookupType('VRPCRequest');
const VRPCResponse = ORIGINAL.lookupType('VRPCResponse');
const EchoRequest = ORIGINAL.lookupType('EchoRequest');
const EchoReply = ORIGINAL.lookupType('EchoReply');
const ECHO = 'vrpc.echo.EchoService';

interface OriginalResponse {
  requestId: string;
  payload: Uint8Array;
  statusCode: number;
}

/** A request as the original's Go client writes it: timestamp in nanoseconds (UnixNano). */
function goRequest(requestId: string, text: string, sentAtMs: number, timeoutMs = 5_000): Buffer {
  const payload = EchoRequest.encode({ text }).finish();
  const fields = {
    requestId,
    serviceName: ECHO,
    methodName: 'Echo',
    payload,
    metadata: {},
    timestamp: sentAtMs * 1e6,
    timeoutMs,
    clientId: 'go',
  };
  return Buffer.from(VRPCRequest.encode(VRPCRequest.create(fields)).finish());
}

/** A raw consumer of a whole topic from its start, collecting what it reads. */
async function rawReader(
  kafka: Kafka,
  topic: string,
): Promise<{ consumer: Consumer; read: { key: string; value: Buffer; headers: number }[] }> {
  const read: { key: string; value: Buffer; headers: number }[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('raw'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      read.push({
        key: message.key?.toString() ?? '',
        value: message.value ?? Buffer.alloc(0),
        headers: Object.keys(message.headers ?? {}).length,
      });
      return Promise.resolve();
    },
  });
  return { consumer, read };
}

describe('producers of the original vRPC’s shape (kafkajs bus)', () => {
  const kafka = testKafka();
  const producer = kafka.producer();
  let options: VrpcModuleOptions;
  let server: EchoApp;
  let replies: Awaited<ReturnType<typeof rawReader>>;

  beforeAll(async () => {
    options = isolatedOptions();
    server = await startEchoApp(options);
    await producer.connect();
    replies = await rawReader(kafka, options.topics?.replies ?? '');
  });

  afterAll(async () => {
    await replies.consumer.disconnect();
    await producer.disconnect();
    await server.app.close();
  });

  const requestTopic = () => `${options.topics?.requestPrefix ?? ''}${ECHO}`;
  const replyTo = (id: string) =>
    replies.read.find((entry) => (VRPCResponse.decode(entry.value) as unknown as OriginalResponse).requestId === id);

  it('answers a request of fields 1–8 only (no headers, key = a timestamp) on the reply topic, keyed by its id', async () => {
    const key = String(Date.now() * 1e6);
    await producer.send({ topic: requestTopic(), messages: [{ key, value: goRequest('go-1', 'hello from Go', Date.now()) }] });
    await waitFor(() => replyTo('go-1') !== undefined, 10_000);
    const raw = replyTo('go-1');
    const reply = VRPCResponse.decode(raw?.value ?? Buffer.alloc(0)) as unknown as OriginalResponse;
    expect(reply.statusCode).toBe(0);
    expect(raw?.key).toBe('go-1');
    expect((EchoReply.decode(reply.payload) as unknown as { text: string }).text).toBe('hello from Go');
  });

  it('does not run a request whose timestamp + timeout_ms has passed', async () => {
    const key = String(Date.now() * 1e6);
    await producer.send({
      topic: requestTopic(),
      messages: [
        { key, value: goRequest('go-expired', 'expired', Date.now() - 60_000, 5_000) },
        // Behind it on the same partition: once this one is answered, the expired one was seen.
        { key, value: goRequest('go-after', 'after the expired one', Date.now()) },
      ],
    });
    await waitFor(() => replyTo('go-after') !== undefined, 10_000);
    expect(server.controller.calls).toContain('after the expired one');
    expect(server.controller.calls).not.toContain('expired');
    expect(replyTo('go-expired')).toBeUndefined();
  });
});

const busChoices: [string, () => VrpcBusConfig][] = [
  ['kafkajs', () => ({ type: 'kafka', brokers: testBrokers() })],
  ['@platformatic/kafka', () => ({ type: 'platformatic-kafka', brokers: testBrokers() })],
];

describe.each(busChoices)('a client reading the whole reply topic (%s bus)', (_name, bus) => {
  const kafka = testKafka();
  const producer = kafka.producer();

  afterAll(async () => {
    await producer.disconnect();
  });

  it('receives replies produced raw on any partition, and drops those of other calls', async () => {
    // No server: the requests are read raw and answered raw, the way the original's server does.
    const options = isolatedOptions({ bus: bus(), client: { replyInbox: 'whole-topic', timeoutMs: 10_000 } });
    await producer.connect();
    const client = new VrpcClient(options);
    // Connecting creates the topics the raw reader reads.
    await client.connect();
    const requests = await rawReader(kafka, `${options.topics?.requestPrefix ?? ''}${ECHO}`);
    try {
      const echo = client.getService<{ echo(request: { text: string }): Observable<{ text: string }> }>('EchoService');
      const calls = [firstValueFrom(echo.echo({ text: 'one' })), firstValueFrom(echo.echo({ text: 'two' }))];
      await waitFor(() => requests.read.length === 2, 10_000);
      const ids = requests.read.map((entry) => (VRPCRequest.decode(entry.value) as unknown as { requestId: string }).requestId);
      const answer = (requestId: string, text: string) =>
        Buffer.from(VRPCResponse.encode({ requestId, payload: EchoReply.encode({ text }).finish(), statusCode: 0 }).finish());
      // Four reply partitions: two replies on two partitions, whatever this client's hash, and a reply to nobody.
      await producer.send({
        topic: options.topics?.replies ?? '',
        messages: [
          { partition: 0, value: answer('someone-else/0', 'not mine') },
          { partition: 0, value: answer(ids[0], 'first') },
          { partition: 3, value: answer(ids[1], 'second') },
        ],
      });
      const answered = await Promise.all(calls);
      expect(answered.map((reply) => reply.text).sort()).toEqual(['first', 'second']);
    } finally {
      await client.close();
      await requests.consumer.disconnect();
    }
  });
});

@Controller()
class SharedTopicController {
  @GrpcMethod('First', 'Say')
  first({ text }: { text: string }): { text: string } {
    return { text: `first:${text}` };
  }

  @GrpcMethod('Second', 'Say')
  second({ text }: { text: string }): { text: string } {
    return { text: `second:${text}` };
  }
}

describe('services sharing one request topic', () => {
  const proto = { protoPath: join(import.meta.dirname, 'fixtures', 'shared-topic.proto'), package: 'vrpc.shared' };
  let options: VrpcModuleOptions;
  let warnings: string[];
  let close: () => Promise<void>;

  beforeAll(async () => {
    const scope = uniqueName('shared');
    options = isolatedOptions({ protos: proto });
    const shared = `${scope}.requests`;
    options.topics = {
      ...options.topics,
      requests: { 'vrpc.shared.First': shared, 'vrpc.shared.Second': shared, 'vrpc.shared.Third': shared },
    };
    const warn = vi.spyOn(Logger.prototype, 'warn');
    const moduleRef = await Test.createTestingModule({
      imports: [VrpcModule.forRoot(options)],
      controllers: [SharedTopicController],
    }).compile();
    const app = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VrpcServer), logger: ['error', 'warn'] });
    await app.listen();
    warnings = warn.mock.calls.map(([line]) => String(line));
    warn.mockRestore();
    close = () => app.close();
  });

  afterAll(async () => {
    await close();
  });

  afterEach(() => vi.restoreAllMocks());

  it('answers both services from one process, and warns at start of the mapped service it does not serve', async () => {
    const client = new VrpcClient(options);
    try {
      type Say = { say(request: { text: string }): Observable<{ text: string }> };
      const [first, second] = await Promise.all(
        Array.from({ length: 10 }, (_, index) => [
          firstValueFrom(client.getService<Say>('First').say({ text: `${index}` })),
          firstValueFrom(client.getService<Say>('Second').say({ text: `${index}` })),
        ])
          .reduce<[Promise<{ text: string }>[], Promise<{ text: string }>[]]>(
            ([a, b], [x, y]) => [
              [...a, x],
              [...b, y],
            ],
            [[], []],
          )
          .map((all) => Promise.all(all)),
      );
      expect(first.map((reply) => reply.text)).toEqual(Array.from({ length: 10 }, (_, index) => `first:${index}`));
      expect(second.map((reply) => reply.text)).toEqual(Array.from({ length: 10 }, (_, index) => `second:${index}`));
      await expect(firstValueFrom(client.getService<Say>('Third').say({ text: 'x' }))).rejects.toMatchObject({ code: 12 });
    } finally {
      await client.close();
    }
    expect(warnings.filter((line) => line.includes('vrpc.shared.Third'))).toEqual([expect.stringMatching(/UNIMPLEMENTED/)]);
    expect(warnings.some((line) => /vrpc\.shared\.(First|Second) /.test(line))).toBe(false);
  });
});
