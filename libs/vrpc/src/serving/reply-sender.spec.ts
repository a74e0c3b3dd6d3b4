import { status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IncomingMessage, OutgoingMessage, VrpcBus } from '../bus/bus.interface.js';
import { VrpcPublishError } from '../errors/vrpc-publish.error.js';
import { decodeResponse, type RequestEnvelope } from '../protocol/envelope.js';
import { VRPC_HEADERS } from '../protocol/vrpc.constants.js';
import { okReply } from './reply.factory.js';
import { ReplySender } from './reply-sender.js';

const ENVELOPE: RequestEnvelope = {
  requestId: 'c/1',
  serviceName: 'demo.Echo',
  methodName: 'Echo',
  payload: Buffer.alloc(0),
  metadata: {},
  timestamp: Date.now(),
  timeoutMs: 600_000,
  clientId: 'c',
  replyTo: 'vrpc.replies',
  replyPartition: 2,
  // Ten minutes out: the sender's deadline must not bound the server's retries.
  deadline: Date.now() + 600_000,
  taskKey: '',
  attempt: 0,
  oneWay: false,
};

/** A bus that publishes through `attempt` (default: takes everything) and records what it took. */
function fakeBus(maxMessageBytes?: number, attempt: (message: OutgoingMessage) => Error | undefined = () => undefined) {
  const published: OutgoingMessage[] = [];
  let attempts = 0;
  const bus = {
    maxMessageBytes,
    publish: (messages: OutgoingMessage[]) => {
      attempts++;
      const error = attempt(messages[0]);
      if (error) return Promise.reject(error);
      published.push(...messages);
      return Promise.resolve();
    },
  } as unknown as VrpcBus;
  return { bus, published, attempts: () => attempts };
}

const final = (reason: 'unknown-topic' | 'too-large') => new VrpcPublishError('test', reason, true, `refused: ${reason}`);
const logger = () => {
  const lines: string[] = [];
  const log = new Logger('test');
  vi.spyOn(log, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));
  vi.spyOn(log, 'warn').mockImplementation(() => undefined);
  return { log, lines };
};
const incoming = (value: Buffer): IncomingMessage => ({
  topic: 'vrpc.req.demo.Echo',
  partition: 0,
  offset: '7',
  key: 'k',
  value,
  headers: { a: 'b' },
});

describe('ReplySender', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('gives up at once on a final error, however far the deadline, and logs it escaped', async () => {
    const { bus, attempts } = fakeBus(undefined, () => final('unknown-topic'));
    const { log, lines } = logger();
    const sender = new ReplySender(bus, 'dead', log);
    await sender.reply({ ...ENVELOPE, requestId: 'forged\n[Nest] LOG' }, okReply(ENVELOPE, Buffer.from('x')));
    expect(attempts()).toBe(1);
    expect(sender.dropped.get('reply:unknown-topic')).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('forged\\n[Nest] LOG');
  });

  it('retries a retriable error for publishRetryMs only, then leaves the request unacknowledged while its caller waits', async () => {
    vi.useFakeTimers();
    const { bus, attempts } = fakeBus(undefined, () => new VrpcPublishError('test', 'unavailable', false, 'down'));
    const sender = new ReplySender(bus, 'dead', logger().log, { publishRetryMs: 2_000 });
    const replying = expect(
      sender.reply({ ...ENVELOPE, deadline: Date.now() + 600_000 }, okReply(ENVELOPE, Buffer.from('x'))),
    ).rejects.toThrow('down');
    await vi.advanceTimersByTimeAsync(2_000);
    await replying;
    expect(attempts()).toBeGreaterThan(2);
  });

  it('drops a reply it could not publish once the call has expired (retrying no later than its deadline)', async () => {
    vi.useFakeTimers();
    const { bus } = fakeBus(undefined, () => new VrpcPublishError('test', 'unavailable', false, 'down'));
    const sender = new ReplySender(bus, 'dead', logger().log, { publishRetryMs: 60_000 });
    let done = false;
    const replying = sender
      .reply({ ...ENVELOPE, deadline: Date.now() + 1_000 }, okReply(ENVELOPE, Buffer.from('x')))
      .then(() => (done = true));
    await vi.advanceTimersByTimeAsync(1_000);
    await replying;
    expect(done).toBe(true);
    expect(sender.dropped.get('reply:retries-exhausted')).toBe(1);
  });

  it('turns a reply over the bus limit into RESOURCE_EXHAUSTED naming the size and the limit', async () => {
    const { bus, published } = fakeBus(1_000);
    const sender = new ReplySender(bus, 'dead', logger().log);
    await sender.reply(ENVELOPE, okReply(ENVELOPE, Buffer.alloc(5_000)));
    expect(published).toHaveLength(1);
    const reply = decodeResponse(published[0].value);
    expect(reply.statusCode).toBe(status.RESOURCE_EXHAUSTED);
    expect(reply.errorMessage).toMatch(/the reply is 5\d{3} bytes, over the bus's limit of 1000 bytes/);
    expect(published[0]).toMatchObject({ topic: 'vrpc.replies', partition: 2 });
  });

  it('answers RESOURCE_EXHAUSTED when the broker refuses a reply as too large', async () => {
    const { bus, published } = fakeBus(undefined, (message) => (message.value.length > 1_000 ? final('too-large') : undefined));
    await new ReplySender(bus, 'dead', logger().log).reply(ENVELOPE, okReply(ENVELOPE, Buffer.alloc(5_000)));
    expect(decodeResponse(published[0].value)).toMatchObject({ statusCode: status.RESOURCE_EXHAUSTED });
  });

  it('dead-letters a copy too large for the bus as a truncated copy with the original size', async () => {
    const { bus, published } = fakeBus(10_000);
    await new ReplySender(bus, 'dead', logger().log).deadLetter(incoming(Buffer.alloc(50_000, 1)), 'unreadable envelope', 'undecodable');
    expect(published).toHaveLength(1);
    const [copy] = published;
    expect(copy.value.length).toBeLessThanOrEqual(5_000);
    expect(copy.headers).toMatchObject({
      a: 'b',
      [VRPC_HEADERS.deadReason]: 'unreadable envelope',
      [VRPC_HEADERS.deadOriginalBytes]: '50000',
      [VRPC_HEADERS.deadSource]: 'vrpc.req.demo.Echo[0]@7',
    });
    expect(copy.headers?.[VRPC_HEADERS.deadTruncated]).toMatch(/^too-large: /);
  });

  it('falls back to a truncated copy when the broker refuses the whole one', async () => {
    const { bus, published } = fakeBus(undefined, (message) => (message.value.length > 100_000 ? final('too-large') : undefined));
    await new ReplySender(bus, 'dead', logger().log).deadLetter(incoming(Buffer.alloc(1_000_000)), 'unreadable', 'unreadable');
    expect(published[0].headers?.[VRPC_HEADERS.deadOriginalBytes]).toBe('1000000');
    expect(published[0].value.length).toBe(64 * 1024);
  });

  it('gives a dead letter up on a final error (committed past) but rejects on a retriable one past the bound', async () => {
    const gone = fakeBus(undefined, () => final('unknown-topic'));
    const sender = new ReplySender(gone.bus, 'dead', logger().log);
    await expect(sender.deadLetter(incoming(Buffer.from('x')), 'bad', 'poison')).resolves.toBeUndefined();
    expect(sender.dropped.get('dead-letter:unknown-topic')).toBe(1);
    vi.useFakeTimers();
    const down = fakeBus(undefined, () => new VrpcPublishError('test', 'unavailable', false, 'down'));
    const failing = new ReplySender(down.bus, 'dead', logger().log, { publishRetryMs: 1_000 }).deadLetter(
      incoming(Buffer.from('x')),
      'bad',
      'poison',
    );
    const outcome = expect(failing).rejects.toThrow('down');
    await vi.advanceTimersByTimeAsync(1_000);
    await outcome;
  });
});
