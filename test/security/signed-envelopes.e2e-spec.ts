import { status } from '@grpc/grpc-js';
import { VrpcClient, type VrpcModuleOptions, type VrpcSecurityOptions } from '@vrpc/nestjs';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  EnvelopeSigner,
  type RequestEnvelope,
  type ResponseEnvelope,
} from '@vrpc/nestjs/protocol';
import type { Consumer, Producer } from 'kafkajs';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EchoServiceClient } from '../fixtures/echo.service.js';
import { type EchoApp, isolatedOptions, startEchoApp } from '../support/echo-app.js';
import { testKafka, uniqueName, waitFor } from '../support/kafka.js';

// Every attack is made by a raw kafkajs producer that can read and write every vRPC topic, as
// anyone on a cluster without ACLs can; each prints one line: `attack | outcome`.

const ECHO = 'vrpc.echo.EchoService';
const OLD = 'old-key-0123456789abcdef0123456789';
const NEW = 'new-key-0123456789abcdef0123456789';
const OVERLAP: VrpcSecurityOptions = { keys: { old: OLD, new: NEW }, signWith: 'new' };

function report(attack: string, outcome: string): void {
  console.log(`${attack} | ${outcome}`);
}

/** The payload of an EchoRequest carrying `text` (field 1). */
function echoPayload(text: string): Buffer {
  return Buffer.concat([Buffer.from([0x0a, Buffer.byteLength(text)]), Buffer.from(text)]);
}

/** The `text` of an EchoRequest payload whose first field is a short string. */
function echoText(payload: Uint8Array): string {
  const bytes = Buffer.from(payload);
  return bytes[0] === 0x0a ? bytes.subarray(2, 2 + bytes[1]).toString() : '';
}

/** Reads every message of `topic` from the start into `seen`. */
async function readAll<T>(topic: string, decode: (value: Buffer) => T, seen: T[]): Promise<Consumer> {
  const consumer = testKafka().consumer({ groupId: uniqueName('attacker'), maxWaitTimeInMs: 50 });
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

/** How a call ended: its reply, or its gRPC status. */
async function settle<T>(call: Promise<T>): Promise<{ reply?: T; code?: number }> {
  try {
    return { reply: await call };
  } catch (error: unknown) {
    return { code: (error as { code?: number }).code };
  }
}

/** A server with `security`, an attacker who reads its request and reply topics, and a producer. */
class Scene {
  options!: VrpcModuleOptions;
  server!: EchoApp;
  producer!: Producer;
  readonly requests: RequestEnvelope[] = [];
  readonly replies: ResponseEnvelope[] = [];
  private readonly consumers: Consumer[] = [];
  private readonly clients: VrpcClient[] = [];

  async start(security: VrpcSecurityOptions): Promise<void> {
    this.options = isolatedOptions({ security });
    this.server = await startEchoApp(this.options);
    this.producer = testKafka().producer();
    await this.producer.connect();
    this.consumers.push(await readAll(this.requestTopic, decodeRequest, this.requests));
    this.consumers.push(await readAll(this.replyTopic, decodeResponse, this.replies));
  }

  get requestTopic(): string {
    return `${this.options.topics?.requestPrefix ?? ''}${ECHO}`;
  }

  get replyTopic(): string {
    return this.options.topics?.replies ?? '';
  }

  /** A client of the scene's topics with its own `security` (none: unsigned). */
  async client(security: VrpcSecurityOptions | undefined, timeoutMs = 15_000): Promise<EchoServiceClient> {
    const client = new VrpcClient({ ...this.options, security, client: { timeoutMs } });
    this.clients.push(client);
    await client.connect();
    return client.getService<EchoServiceClient>('EchoService');
  }

  /** Writes a raw request for Echo(`text`), answered on the reply topic's partition 0; `sign` may sign it. */
  async inject(text: string, shape: (envelope: RequestEnvelope) => RequestEnvelope = (envelope) => envelope): Promise<string> {
    const now = Date.now();
    const envelope = shape({
      requestId: uniqueName('attacker'),
      serviceName: ECHO,
      methodName: 'Echo',
      payload: echoPayload(text),
      metadata: {},
      timestamp: now,
      timeoutMs: 15_000,
      clientId: 'attacker',
      replyTo: this.replyTopic,
      replyPartition: 0,
      deadline: now + 15_000,
      taskKey: '',
      attempt: 0,
      oneWay: false,
    });
    await this.send(envelope);
    return envelope.requestId;
  }

  send(envelope: RequestEnvelope): Promise<unknown> {
    return this.producer.send({ topic: this.requestTopic, messages: [{ key: envelope.requestId, value: encodeRequest(envelope) }] });
  }

  /** The reply the server wrote for `id`, once it is on the reply topic. */
  async replyTo(id: string): Promise<ResponseEnvelope> {
    await waitFor(() => this.replies.some((reply) => reply.requestId === id && reply.statusCode !== 0), 15_000);
    return this.replies.find((reply) => reply.requestId === id && reply.statusCode !== 0) as ResponseEnvelope;
  }

  /** The request a client wrote for Echo(`text`), once it is on the request topic. */
  async requestFor(text: string): Promise<RequestEnvelope> {
    await waitFor(() => this.requests.some((request) => echoText(request.payload) === text), 15_000);
    return this.requests.find((request) => echoText(request.payload) === text) as RequestEnvelope;
  }

  ran(text: string): boolean {
    return this.server.controller.calls.includes(text);
  }

  async stop(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.disconnect()));
    await Promise.all(this.clients.map((client) => client.close()));
    await this.producer?.disconnect();
    await this.server?.app.close();
  }
}

describe('security suite: signed envelopes (HMAC-SHA256) against a raw Kafka attacker', () => {
  const scene = new Scene();

  beforeAll(() => scene.start(OVERLAP));
  afterAll(() => scene.stop());

  it('a reply forged with the id of a pending call, read from the request topic, is ignored; the genuine one is taken', async () => {
    const echo = await scene.client(OVERLAP);
    const call = settle(firstValueFrom(echo.echo({ text: 'balance', delayMs: 1_500 })));
    const pending = await scene.requestFor('balance');
    const forged = (signature?: Partial<ResponseEnvelope>): Buffer =>
      encodeResponse({
        requestId: pending.requestId,
        payload: echoPayload('FORGED: your balance is 0'),
        statusCode: status.OK,
        errorMessage: '',
        metadata: {},
        timestamp: Date.now(),
        ...signature,
      });
    const wrongKey = new EnvelopeSigner({ keys: { new: 'a-guess-at-the-key-0123456789' }, signWith: 'new' });
    const guessed = wrongKey.signReply(ECHO, decodeResponse(forged()));
    await scene.producer.send({
      topic: pending.replyTo,
      messages: [forged(), forged({ signature: guessed.signature, keyId: 'new' })].map((value) => ({
        partition: pending.replyPartition,
        value,
        headers: { 'vrpc-id': pending.requestId },
      })),
    });
    const ended = await call;
    expect(ended.code).toBeUndefined();
    expect(ended.reply?.text).toBe('balance');
    expect(ended.reply?.servedBy).toBe(scene.server.controller.servedBy);
    report(
      'forged reply (unsigned, and signed with a guessed key) to a pending call',
      `ignored; the genuine reply "${ended.reply?.text}" accepted`,
    );
  });

  it('an unsigned request is answered UNAUTHENTICATED and never runs', async () => {
    const id = await scene.inject('unsigned-1');
    const reply = await scene.replyTo(id);
    expect(reply.statusCode).toBe(status.UNAUTHENTICATED);
    expect(reply.errorMessage).toContain('unsigned');
    expect(scene.ran('unsigned-1')).toBe(false);
    report('unsigned request', `UNAUTHENTICATED (${reply.errorMessage}); handler not run`);
  });

  it('a client without keys gets UNAUTHENTICATED too', async () => {
    const echo = await scene.client(undefined);
    const ended = await settle(firstValueFrom(echo.echo({ text: 'unsigned-2' })));
    expect(ended.code).toBe(status.UNAUTHENTICATED);
    expect(scene.ran('unsigned-2')).toBe(false);
    report('request from a vRPC client without keys', 'UNAUTHENTICATED; handler not run');
  });

  it('a request signed with a wrong secret under a listed key id, or with an unknown key id, is refused', async () => {
    const wrong = new EnvelopeSigner({ keys: { new: 'a-guess-at-the-key-0123456789' }, signWith: 'new' });
    const stranger = new EnvelopeSigner({ keys: { mallory: NEW }, signWith: 'mallory' });
    const byWrong = await scene.replyTo(await scene.inject('wrong-key', (envelope) => wrong.signRequest(envelope)));
    const byStranger = await scene.replyTo(await scene.inject('unknown-key', (envelope) => stranger.signRequest(envelope)));
    expect([byWrong.statusCode, byStranger.statusCode]).toEqual([status.UNAUTHENTICATED, status.UNAUTHENTICATED]);
    expect(scene.ran('wrong-key') || scene.ran('unknown-key')).toBe(false);
    report('request signed with a wrong key (listed key id)', `UNAUTHENTICATED (${byWrong.errorMessage}); handler not run`);
    report('request signed with an unknown key id', `UNAUTHENTICATED (${byStranger.errorMessage}); handler not run`);
  });

  it('a genuine request replayed with a tampered payload (the original signature kept) is refused; the genuine call is answered', async () => {
    const echo = await scene.client(OVERLAP);
    const call = settle(firstValueFrom(echo.echo({ text: 'pay-10', delayMs: 1_000 })));
    const genuine = await scene.requestFor('pay-10');
    await scene.send({ ...genuine, payload: echoPayload('pay-99') });
    const refusal = await scene.replyTo(genuine.requestId);
    const ended = await call;
    expect(refusal.statusCode).toBe(status.UNAUTHENTICATED);
    expect(refusal.signature).toBeUndefined();
    expect(scene.ran('pay-99')).toBe(false);
    expect(ended.reply?.text).toBe('pay-10');
    report(
      'tampered payload with the original valid signature',
      `UNAUTHENTICATED (unsigned, ignored by the caller); tampered handler not run; genuine call answered "${ended.reply?.text}"`,
    );
  });

  it('key rotation, overlap: a client still signing with the old key is served, and can check the reply', async () => {
    const oldOnly = await scene.client({ keys: { old: OLD }, signWith: 'old' });
    const ended = await settle(firstValueFrom(oldOnly.echo({ text: 'rotation-old' })));
    expect(ended.reply?.text).toBe('rotation-old');
    const newOnly = await scene.client({ keys: { new: NEW }, signWith: 'new' });
    expect((await firstValueFrom(newOnly.echo({ text: 'rotation-new' }))).text).toBe('rotation-new');
    report('key rotation, overlap (server lists old and new)', 'old-key client served; new-key client served');
  });
});

describe('security suite: key rotation, after the old key is removed', () => {
  const scene = new Scene();

  beforeAll(() => scene.start({ keys: { new: NEW }, signWith: 'new' }));
  afterAll(() => scene.stop());

  it('a request signed with the removed key is refused, and never runs', async () => {
    const old = new EnvelopeSigner({ keys: { old: OLD }, signWith: 'old' });
    const reply = await scene.replyTo(await scene.inject('removed-key', (envelope) => old.signRequest(envelope)));
    expect(reply.statusCode).toBe(status.UNAUTHENTICATED);
    const stale = await scene.client({ keys: { old: OLD }, signWith: 'old' }, 2_000);
    const ended = await settle(firstValueFrom(stale.echo({ text: 'removed-key-client' })));
    // It cannot check the server's unsigned refusal, so it waits until its deadline.
    expect(ended.code).toBe(status.DEADLINE_EXCEEDED);
    expect(scene.ran('removed-key') || scene.ran('removed-key-client')).toBe(false);
    const current = await scene.client({ keys: { new: NEW }, signWith: 'new' });
    expect((await firstValueFrom(current.echo({ text: 'current-key' }))).text).toBe('current-key');
    report('key rotation, after (old key removed)', `old key refused: UNAUTHENTICATED (${reply.errorMessage}); new key served`);
  });
});
