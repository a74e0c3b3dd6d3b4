// Issue 14, points 1–3: the attacks on call ids and reply addresses, against the real broker,
// with a raw kafkajs producer and consumer as the attacker. One `attack | outcome` line each.
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { Controller, type INestMicroservice, Logger } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { createBus, VrpcClient, type VrpcBus, type VrpcModuleOptions } from '@vrpc/nestjs';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, type RequestEnvelope } from '@vrpc/nestjs/protocol';
import type { Producer } from 'kafkajs';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EchoReply, EchoServiceClient } from '../fixtures/echo.service.js';
import { isolatedOptions } from '../support/echo-app.js';
import { testBrokers, testKafka, uniqueName, waitFor } from '../support/kafka.js';
import { createTopics, GatedEchoController, readToEnd, report, serve, textMessage, watch, type Seen } from './ids-and-addresses-support.js';

const ECHO = 'vrpc.echo.EchoService';
const kafka = testKafka();

/** A request as an attacker writes it, for EchoService/Echo unless told otherwise. */
function hostileRequest(fields: Partial<RequestEnvelope> & { text: string }): { id: string; value: Buffer } {
  const { text, ...rest } = fields;
  const requestId = rest.requestId ?? uniqueName('attacker');
  const now = Date.now();
  const envelope: RequestEnvelope = {
    requestId,
    serviceName: ECHO,
    methodName: 'Echo',
    payload: textMessage(text),
    metadata: {},
    timestamp: now,
    timeoutMs: 30_000,
    clientId: 'attacker',
    replyTo: '',
    deadline: now + 30_000,
    taskKey: '',
    attempt: 0,
    oneWay: false,
    ...rest,
  };
  return { id: requestId, value: encodeRequest(envelope) };
}

/** The reply to `id` among what the attacker read, if any. */
const replyTo = (seen: Seen[], id: string) => seen.find((message) => message.key === id);

describe('security: call ids (issue 14, point 1)', () => {
  let options: VrpcModuleOptions;
  let server: { app: INestMicroservice; controller: GatedEchoController };
  let producer: Producer;
  let replies: Awaited<ReturnType<typeof watch>>;
  let requests: Awaited<ReturnType<typeof watch>>;

  beforeAll(async () => {
    // One request partition: what is written first there is run first.
    const base = isolatedOptions();
    options = { ...base, topics: { ...base.topics, requestPartitions: 1 } };
    server = await serve(options, GatedEchoController);
    producer = kafka.producer();
    await producer.connect();
    replies = await watch(kafka, options.topics?.replies ?? '');
    requests = await watch(kafka, `${options.topics?.requestPrefix ?? ''}${ECHO}`);
  });

  afterAll(async () => {
    server.controller.release();
    await replies.stop();
    await requests.stop();
    await producer.disconnect();
    await server.app.close();
  });

  it('a reply forged with an id predicted from a reply header is ignored: ids share nothing', async () => {
    const client = new VrpcClient(options);
    try {
      const echo = client.getService<EchoServiceClient>('EchoService');
      await firstValueFrom(echo.echo({ text: 'first' }));
      await waitFor(() => replies.seen.length === 1);
      const [observed] = replies.seen;
      const firstId = observed.key;
      // What the attacker derives from one reply: the old `<instance id>/<counter>` ids, and neighbours of this one.
      const bytes = Buffer.from(firstId, 'base64url');
      const neighbour = (delta: number) => {
        const next = Buffer.from(bytes);
        next.writeUInt32BE((next.readUInt32BE(12) + delta) >>> 0, 12);
        return next.toString('base64url');
      };
      const predicted = [
        ...Array.from({ length: 10 }, (_, counter) => `${client.instanceId}/${counter.toString(36)}`),
        ...Array.from({ length: 10 }, (_, counter) => `${firstId.split('/')[0]}/${counter.toString(36)}`),
        neighbour(1),
        neighbour(-1),
      ];
      const second = firstValueFrom(echo.echo({ text: 'hold: the genuine answer' }));
      await waitFor(() => server.controller.calls.includes('hold: the genuine answer') && requests.seen.length === 2);
      const secondId = requests.seen[1].headers['vrpc-id'];
      // The forgeries sit before the genuine reply on the caller's partition: read first.
      await producer.send({
        topic: options.topics?.replies ?? '',
        messages: predicted.map((id) => ({
          partition: observed.partition,
          key: id,
          value: encodeResponse({
            requestId: id,
            payload: textMessage('FORGED: your balance is 0'),
            statusCode: status.OK,
            errorMessage: '',
            metadata: {},
            timestamp: Date.now(),
          }),
          headers: { 'vrpc-id': id, 'vrpc-status': '0' },
        })),
      });
      server.controller.release();
      const answer: EchoReply = await second;
      expect(answer).toMatchObject({ text: 'hold: the genuine answer', servedBy: server.controller.servedBy });
      expect(predicted).not.toContain(secondId);
      for (const id of [firstId, secondId]) {
        expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
        expect(id).not.toContain(client.instanceId);
      }
      expect(firstId.slice(0, 4)).not.toBe(secondId.slice(0, 4));
      report(
        'forged reply, id predicted from a reply header',
        `ignored: ${predicted.length} predicted ids (old <instance>/<n> and neighbours), none the next (${firstId} → ${secondId}); caller got the genuine answer`,
      );
    } finally {
      await client.close();
    }
  });

  it('a request written first with a client’s id but other content does not suppress the real call', async () => {
    const requestTopic = `${options.topics?.requestPrefix ?? ''}${ECHO}`;
    const written: string[] = [];
    // The strongest attacker: knows the id before the client writes it (the bus hands it over first).
    const bus = attackerFirst(
      createBus({ type: 'kafka', brokers: testBrokers() }),
      async (request, key) => {
        if (written.length > 0) return;
        const forged = hostileRequest({
          requestId: request.requestId,
          text: 'pre-empted',
          replyTo: request.replyTo,
          replyPartition: ((request.replyPartition ?? 0) + 1) % (options.topics?.replyPartitions ?? 4),
        });
        written.push(forged.id);
        await producer.send({ topic: requestTopic, messages: [{ key, value: forged.value, headers: { 'vrpc-id': forged.id } }] });
      },
      requestTopic,
    );
    const client = new VrpcClient({ ...options, client: { ...options.client, timeoutMs: 10_000 } }, bus);
    try {
      const answer = await firstValueFrom(client.getService<EchoServiceClient>('EchoService').echo({ text: 'genuine' }));
      expect(answer.text).toBe('genuine');
      const ran = server.controller.calls;
      expect(ran.indexOf('pre-empted')).toBeGreaterThanOrEqual(0);
      expect(ran.indexOf('pre-empted')).toBeLessThan(ran.indexOf('genuine'));
      report(
        'id pre-emption (request with the call’s id written first)',
        'no effect: both ran (other content), caller got the genuine answer',
      );
    } finally {
      await client.close();
      await bus.close();
    }
  });
});

/** `bus`, whose requests to `topic` are first shown to `attacker` (the decoded request and its key). */
function attackerFirst(bus: VrpcBus, attacker: (request: RequestEnvelope, key: string) => Promise<void>, topic: string): VrpcBus {
  return new Proxy(bus, {
    get(target, property) {
      if (property === 'publish') {
        return async (messages: Parameters<VrpcBus['publish']>[0]) => {
          for (const message of messages) {
            if (message.topic === topic) await attacker(decodeRequest(message.value), message.key ?? '');
          }
          return target.publish(messages);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

@Controller()
class TwoServicesController {
  readonly calls: string[] = [];

  @GrpcMethod('First', 'Say')
  first({ text }: { text: string }): { text: string } {
    this.calls.push(`first:${text}`);
    return { text: `first:${text}` };
  }

  @GrpcMethod('Second', 'Say')
  second({ text }: { text: string }): { text: string } {
    this.calls.push(`second:${text}`);
    return { text: `second:${text}` };
  }
}

describe('security: reply addresses and topics (issue 14, points 2–3)', () => {
  const proto = { protoPath: join(import.meta.dirname, '..', 'fixtures', 'shared-topic.proto'), package: 'vrpc.shared' };
  let options: VrpcModuleOptions;
  let server: { app: INestMicroservice; controller: GatedEchoController };
  let twoServices: { app: INestMicroservice; controller: TwoServicesController };
  let producer: Producer;
  let replies: Awaited<ReturnType<typeof watch>>;
  let warnings: string[];
  const prefix = () => options.topics?.requestPrefix ?? '';

  beforeAll(async () => {
    options = isolatedOptions();
    const warn = vi.spyOn(Logger.prototype, 'warn');
    warnings = [];
    warn.mockImplementation((line: unknown) => void warnings.push(String(line)));
    server = await serve(options, GatedEchoController);
    twoServices = await serve({ ...options, protos: proto }, TwoServicesController);
    producer = kafka.producer();
    await producer.connect();
    replies = await watch(kafka, options.topics?.replies ?? '');
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await replies.stop();
    await producer.disconnect();
    await twoServices.app.close();
    await server.app.close();
  });

  it('refuses reply_to = a request topic, another service’s request topic, the dead-letter topic, an unlisted topic', async () => {
    const own = `${prefix()}${ECHO}`;
    const other = `${prefix()}vrpc.shared.First`;
    const dead = options.topics?.deadLetter ?? '';
    const unlisted = uniqueName('attacker.inbox');
    await createTopics(unlisted);
    const attacks: [string, string, string][] = [
      ['reply_to = the service’s own request topic', own, 'request-topic'],
      ['reply_to = another service’s request topic', other, 'request-topic'],
      ['reply_to = the dead-letter topic', dead, 'dead-letter-topic'],
      ['reply_to = an unlisted topic', unlisted, 'unlisted-topic'],
    ];
    const hostile = attacks.map(([, topic]) => hostileRequest({ text: `hostile to ${topic}`, replyTo: topic, replyPartition: 0 }));
    // Behind them on the same key: once it is answered, they were all seen.
    const sentinel = hostileRequest({ text: 'sentinel', replyTo: options.topics?.replies ?? '', replyPartition: 0 });
    await producer.send({
      topic: own,
      messages: [...hostile, sentinel].map(({ id, value }) => ({ key: 'attacker', value, headers: { 'vrpc-id': id } })),
    });
    await waitFor(() => replyTo(replies.seen, sentinel.id) !== undefined, 15_000);
    for (const [attack, topic, reason] of attacks) {
      const there = await readToEnd(kafka, topic);
      // A reply is keyed by its call id (and with readable headers carries a status).
      const ids = hostile.map(({ id }) => id);
      expect(there.filter((message) => ids.includes(message.key) || message.headers['vrpc-status'] !== undefined)).toEqual([]);
      expect(server.controller.calls).not.toContain(`hostile to ${topic}`);
      report(attack, `refused (${reason}): not run, nothing published there (${there.length} messages, none a reply), counted, logged`);
    }
    expect(warnings.filter((line) => line.startsWith('refused to reply'))).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`at ${own}[0]: request-topic`),
        expect.stringContaining(`at ${dead}[0]: dead-letter-topic`),
        expect.stringContaining(`at ${unlisted}[0]: unlisted-topic`),
      ]),
    );
  });

  it('a reply_to partition that does not exist is given up at once, and the next request is answered', async () => {
    const own = `${prefix()}${ECHO}`;
    const missing = hostileRequest({ text: 'to partition 99', replyTo: options.topics?.replies ?? '', replyPartition: 99 });
    const next = hostileRequest({ text: 'after partition 99', replyTo: options.topics?.replies ?? '', replyPartition: 0 });
    await producer.send({
      topic: own,
      messages: [missing, next].map(({ id, value }) => ({ key: 'partition', value, headers: { 'vrpc-id': id } })),
    });
    await waitFor(() => replyTo(replies.seen, next.id) !== undefined, 15_000);
    expect(replyTo(replies.seen, missing.id)).toBeUndefined();
    report(
      'reply_to = the reply topic, a partition that does not exist',
      'not published (final unknown-partition), committed past; the next request answered',
    );
  });

  it('a request for service B written on service A’s request topic is refused: UNIMPLEMENTED, B’s handler not run', async () => {
    const request = hostileRequest({
      text: 'reset',
      serviceName: 'vrpc.shared.Second',
      methodName: 'Say',
      replyTo: options.topics?.replies ?? '',
      replyPartition: 0,
    });
    await producer.send({ topic: `${prefix()}vrpc.shared.First`, messages: [{ key: request.id, value: request.value }] });
    await waitFor(() => replyTo(replies.seen, request.id) !== undefined, 15_000);
    const reply = decodeResponse(replyTo(replies.seen, request.id)?.value ?? Buffer.alloc(0));
    expect(reply.statusCode).toBe(status.UNIMPLEMENTED);
    expect(twoServices.controller.calls).toEqual([]);
    report('request for service B on service A’s request topic', `refused: ${status[reply.statusCode]}, B’s handler not run`);
  });
});
