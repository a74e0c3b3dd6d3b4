import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VrpcPublishError } from '../errors/vrpc-publish.error.js';
import type { BusInbox, OutgoingMessage } from '../bus/bus.interface.js';
import { decodeRequest } from '../protocol/envelope.js';
import type { RequestParts } from './request-message.js';
import { RequestPublisher } from './request-publisher.js';
import { RequestTopics } from './request-topics.js';

const INBOX: BusInbox = { address: { topic: 'vrpc.replies', partition: 3 }, close: () => Promise.resolve() };

function parts(overrides: Partial<RequestParts> = {}): RequestParts {
  const now = Date.now();
  return {
    clientId: 'c',
    serviceName: 'demo.Echo',
    method: 'Echo',
    id: 'c/1',
    payload: Buffer.from('hi'),
    deadline: now + 5_000,
    now,
    ...overrides,
  };
}

/** A publisher over fakes: a bus that records what it publishes, an inbox and a registry set by the test. */
interface HarnessOptions {
  open?: boolean;
  ready?: boolean;
  waiting?: boolean;
  failures?: number;
  maxMessageBytes?: number;
  failure?: Error;
}

function harness({
  open = true,
  ready = true,
  waiting = true,
  failures = 0,
  maxMessageBytes,
  failure = new Error('broker down'),
}: HarnessOptions = {}) {
  const published: OutgoingMessage[] = [];
  const ensured: string[] = [];
  let connects = 0;
  let inboxOpened = 0;
  let left = failures;
  let attempts = 0;
  const bus = {
    maxMessageBytes,
    connect: () => {
      connects++;
      return Promise.resolve();
    },
    publish: (messages: OutgoingMessage[]) => {
      attempts++;
      if (left-- > 0) return Promise.reject(failure);
      published.push(...messages);
      return Promise.resolve();
    },
  };
  const inbox = {
    current: () => (open ? INBOX : undefined),
    get: () => {
      inboxOpened++;
      return Promise.resolve(INBOX);
    },
  };
  const topics = new RequestTopics(
    {
      ensureTopics: (specs) => {
        ensured.push(...specs.map((spec) => spec.topic));
        return Promise.resolve();
      },
    },
    {},
  );
  if (ready) topics.markReady(['demo.Echo']);
  const publisher = new RequestPublisher(bus, inbox, topics, { has: () => waiting });
  return { publisher, published, ensured, counts: () => ({ connects, inboxOpened }), attempts: () => attempts };
}

describe('RequestPublisher', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('publishes at once, without waiting for anything, once the inbox is open and the topic exists', async () => {
    const { publisher, published, counts } = harness();
    const sent = publisher.publish(parts(), Date.now() + 5_000);
    // The bus has the message before the first await: no promise hop on the hot path.
    expect(published).toHaveLength(1);
    await sent;
    expect(counts()).toEqual({ connects: 0, inboxOpened: 0 });
    const envelope = decodeRequest(published[0].value);
    expect(published[0].topic).toBe('vrpc.req.demo.Echo');
    expect(envelope).toMatchObject({ requestId: 'c/1', replyTo: 'vrpc.replies', replyPartition: 3, oneWay: false });
  });

  it('opens the inbox first when it is not open yet', async () => {
    const { publisher, published, counts } = harness({ open: false });
    await publisher.publish(parts(), Date.now() + 5_000);
    expect(counts().inboxOpened).toBe(1);
    expect(decodeRequest(published[0].value)).toMatchObject({ replyTo: 'vrpc.replies', replyPartition: 3 });
  });

  it('creates the topic of a service the protos did not name (a raw call) before publishing', async () => {
    const { publisher, published, ensured } = harness();
    await publisher.publish(parts({ serviceName: 'demo.Raw' }), Date.now() + 5_000);
    expect(ensured).toEqual(['vrpc.req.demo.Raw']);
    expect(published.map((message) => message.topic)).toEqual(['vrpc.req.demo.Raw']);
  });

  it('publishes nothing for a call that no longer waits', async () => {
    for (const open of [true, false]) {
      const { publisher, published } = harness({ open, waiting: false });
      await publisher.publish(parts(), Date.now() + 5_000);
      expect(published).toEqual([]);
    }
  });

  it('publishes a one-way call without a reply address, on a connected bus, without opening the inbox', async () => {
    const { publisher, published, counts } = harness({ open: false, waiting: false });
    await publisher.publish(parts({ oneWay: true }), Date.now() + 5_000);
    expect(counts()).toEqual({ connects: 1, inboxOpened: 0 });
    expect(decodeRequest(published[0].value)).toMatchObject({ replyTo: '', oneWay: true });
  });

  it('retries a failed publish until it succeeds within the deadline', async () => {
    vi.useFakeTimers();
    const { publisher, published } = harness({ failures: 2 });
    const sent = publisher.publish(parts(), Date.now() + 5_000);
    await vi.advanceTimersByTimeAsync(200);
    await sent;
    expect(published).toHaveLength(1);
  });

  it('gives up with the bus error once the deadline would pass', async () => {
    vi.useFakeTimers();
    const { publisher, published } = harness({ failures: Infinity });
    const sent = publisher.publish(parts(), Date.now() + 500);
    const outcome = expect(sent).rejects.toThrow('broker down');
    await vi.advanceTimersByTimeAsync(500);
    await outcome;
    expect(published).toEqual([]);
  });

  it('refuses a request over the bus limit at once with RESOURCE_EXHAUSTED, publishing nothing', async () => {
    for (const open of [true, false]) {
      const { publisher, published, attempts } = harness({ open, maxMessageBytes: 1_000 });
      const sent = publisher.publish(parts({ payload: Buffer.alloc(2_000) }), Date.now() + 60_000);
      await expect(sent).rejects.toMatchObject({ code: status.RESOURCE_EXHAUSTED });
      await expect(sent).rejects.toThrow(/the request is 2\d{3} bytes, over the bus's limit of 1000 bytes/);
      expect(published).toEqual([]);
      expect(attempts()).toBe(0);
    }
  });

  it('does not retry a final publish error', async () => {
    const failure = new VrpcPublishError('test', 'too-large', true, 'too large for the broker');
    const { publisher, attempts } = harness({ failures: Infinity, failure });
    await expect(publisher.publish(parts(), Date.now() + 60_000)).rejects.toBe(failure);
    expect(attempts()).toBe(1);
  });
});
