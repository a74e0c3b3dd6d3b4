import { status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IncomingMessage, SubscribeOptions, TopicSpec } from '../bus/bus.interface.js';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { decodeRequest, decodeResponse, encodeRequest, type ResponseEnvelope } from '../protocol/envelope.js';
import { okReply } from './reply.factory.js';
import { RequestTopicsServer } from './request-topics-server.js';

/** A memory bus that records what the serve loop asked of it. */
class WatchedBus extends MemoryBus {
  readonly ensured: TopicSpec[] = [];
  readonly subscribed: SubscribeOptions[] = [];

  override ensureTopics(specs: TopicSpec[]): Promise<void> {
    this.ensured.push(...specs);
    return super.ensureTopics(specs);
  }

  override subscribe(options: SubscribeOptions, handler: (message: IncomingMessage) => Promise<void>) {
    this.subscribed.push(options);
    return super.subscribe(options, handler);
  }
}

const topics = { requestPrefix: 'rts.req.', replies: 'rts.replies', deadLetter: 'rts.dead', requestPartitions: 2, replyPartitions: 3 };

function request(serviceName: string, requestId: string, replyPartition = 0): Buffer {
  return encodeRequest({
    requestId,
    serviceName,
    methodName: 'Do',
    payload: Buffer.from(requestId),
    metadata: {},
    timestamp: Date.now(),
    timeoutMs: 5_000,
    clientId: 'spec',
    replyTo: topics.replies,
    replyPartition,
    deadline: Date.now() + 5_000,
    taskKey: '',
    attempt: 0,
    oneWay: false,
  });
}

describe('RequestTopicsServer', () => {
  const bus = new WatchedBus();
  let server: RequestTopicsServer | undefined;

  afterEach(async () => {
    await server?.close();
    await bus.close();
  });

  it('creates the topics, joins <groupPrefix><service> per service and answers each request through the executor', async () => {
    server = new RequestTopicsServer({ bus, topics, serving: { groupPrefix: 'g.', concurrency: 3 }, name: 'Spec' });
    const served: string[] = [];
    await server.start(['a.One', 'b.Two'], (envelope) => {
      served.push(`${envelope.serviceName}:${envelope.requestId}`);
      return Promise.resolve(okReply(envelope, envelope.payload));
    });
    expect(bus.ensured).toEqual([
      { topic: 'rts.dead', partitions: 1, replicationFactor: undefined },
      { topic: 'rts.replies', partitions: 3, replicationFactor: undefined },
      { topic: 'rts.req.a.One', partitions: 2, replicationFactor: undefined },
      { topic: 'rts.req.b.Two', partitions: 2, replicationFactor: undefined },
    ]);
    expect(bus.subscribed).toEqual([
      { topics: ['rts.req.a.One'], group: 'g.a.One', concurrency: 3, orderByKey: true },
      { topics: ['rts.req.b.Two'], group: 'g.b.Two', concurrency: 3, orderByKey: true },
    ]);
    const replies: ResponseEnvelope[] = [];
    let answer = (): void => undefined;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const inbox = await bus.openInbox('spec', topics.replies, (message) => {
      replies.push(decodeResponse(message.value));
      if (replies.length === 2) answer();
      return Promise.resolve();
    });
    await bus.publish([
      { topic: 'rts.req.a.One', value: request('a.One', 'r1', inbox.address.partition) },
      { topic: 'rts.req.b.Two', value: request('b.Two', 'r2', inbox.address.partition) },
    ]);
    await answered;
    expect(served.sort()).toEqual(['a.One:r1', 'b.Two:r2']);
    expect(replies.map((reply) => reply.requestId).sort()).toEqual(['r1', 'r2']);
  });

  it('uses the serving defaults: group prefix vrpc., concurrency 64', async () => {
    server = new RequestTopicsServer({ bus, topics, name: 'Spec' });
    bus.subscribed.length = 0;
    await server.start(['c.Three'], (envelope) => Promise.resolve(okReply(envelope, envelope.payload)));
    expect(bus.subscribed).toEqual([{ topics: ['rts.req.c.Three'], group: 'vrpc.c.Three', concurrency: 64, orderByKey: true }]);
  });

  it('close() leaves the groups: requests published afterwards wait for the next member', async () => {
    server = new RequestTopicsServer({ bus, topics, name: 'Spec' });
    let runs = 0;
    await server.start(['d.Four'], (envelope) => {
      runs++;
      return Promise.resolve(okReply(envelope, envelope.payload));
    });
    await server.close();
    await bus.publish([{ topic: 'rts.req.d.Four', value: request('d.Four', 'r3') }]);
    const next = new RequestTopicsServer({ bus, topics, name: 'Spec' });
    const taken = new Promise<void>((resolve) => {
      void next.start(['d.Four'], (envelope) => {
        resolve();
        return Promise.resolve(okReply(envelope, envelope.payload));
      });
    });
    await taken;
    await next.close();
    expect(runs).toBe(0);
  });
});

describe('RequestTopicsServer, topics shared by services and requests of the original vRPC', () => {
  const bus = new WatchedBus();
  const shared = { ...topics, requests: { 'a.One': 'rts.shared', 'b.Two': 'rts.shared', 'c.Three': 'rts.shared' } };
  let server: RequestTopicsServer | undefined;

  afterEach(async () => {
    await server?.close();
    await bus.close();
    vi.restoreAllMocks();
  });

  /** Replies read from the whole reply topic, by request id. */
  async function replies(count: number): Promise<{ done: Promise<Map<string, ResponseEnvelope>> }> {
    const seen = new Map<string, ResponseEnvelope>();
    let finish = (_: Map<string, ResponseEnvelope>): void => undefined;
    const done = new Promise<Map<string, ResponseEnvelope>>((resolve) => (finish = resolve));
    await bus.openInbox(
      'reader',
      topics.replies,
      (message) => {
        const reply = decodeResponse(message.value);
        seen.set(reply.requestId, reply);
        if (seen.size === count) finish(seen);
        return Promise.resolve();
      },
      { scope: 'whole-topic' },
    );
    return { done };
  }

  it('subscribes once to a shared topic, answers each of its services, refuses a service from another topic, warns of the unserved', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    bus.subscribed.length = 0;
    server = new RequestTopicsServer({ bus, topics: shared, name: 'Spec' });
    await server.start(['a.One', 'b.Two', 'x.Own'], (envelope) => Promise.resolve(okReply(envelope, envelope.payload)));
    expect(bus.subscribed.map(({ topics: read, group }) => `${read.join()} ${group}`)).toEqual([
      'rts.shared vrpc.rts.shared',
      'rts.req.x.Own vrpc.x.Own',
    ]);
    expect(warn.mock.calls.map(([line]) => String(line))).toEqual([expect.stringMatching(/c\.Three.*rts\.shared.*UNIMPLEMENTED/)]);
    const { done } = await replies(3);
    await bus.publish([
      { topic: 'rts.shared', value: request('a.One', 's1') },
      { topic: 'rts.shared', value: request('b.Two', 's2') },
      { topic: 'rts.req.x.Own', value: request('a.One', 's3') },
    ]);
    const answered = await done;
    expect(answered.get('s1')?.statusCode).toBe(status.OK);
    expect(answered.get('s2')?.statusCode).toBe(status.OK);
    expect(answered.get('s3')?.statusCode).toBe(status.UNIMPLEMENTED);
  });

  it('answers a request without reply_to on the reply topic, keyed by its id', async () => {
    server = new RequestTopicsServer({ bus, topics, name: 'Spec' });
    await server.start(['e.Five'], (envelope) => Promise.resolve(okReply(envelope, envelope.payload)));
    const { done } = await replies(1);
    const original = decodeRequest(request('e.Five', 'go-1'));
    await bus.publish([
      { topic: 'rts.req.e.Five', value: encodeRequest({ ...original, replyTo: '', replyPartition: undefined, deadline: 0 }) },
    ]);
    expect((await done).get('go-1')?.payload).toEqual(Buffer.from('go-1'));
  });
});
