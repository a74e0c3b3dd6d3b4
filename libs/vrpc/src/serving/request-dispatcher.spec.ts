import { status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BusHealth, BusInbox, BusSubscription, IncomingMessage, OutgoingMessage, VrpcBus } from '../bus/bus.interface.js';
import { HandlerPool } from '../bus/core/handler-pool.js';
import { decodeResponse, encodeRequest, type RequestEnvelope } from '../protocol/envelope.js';
import { okReply } from './reply.factory.js';
import { RequestDispatcher } from './request-dispatcher.js';
import type { RequestExecutor } from './request-executor.interface.js';
import type { VrpcRequestLimits } from './serving-options.interface.js';
import type { VrpcHeaderSet } from '../protocol/wire-headers.js';

/** A bus that only records what is published; `failPublishes` makes every publish reject. */
class FakeBus implements VrpcBus {
  readonly capabilities = { deliveryCount: true };
  readonly published: OutgoingMessage[] = [];
  publishAttempts = 0;
  failPublishes = false;

  connect(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  publish(messages: OutgoingMessage[]): Promise<void> {
    this.publishAttempts++;
    if (this.failPublishes) return Promise.reject(new Error('broker down'));
    this.published.push(...messages);
    return Promise.resolve();
  }
  subscribe(): Promise<BusSubscription> {
    return Promise.reject(new Error('not used'));
  }
  openInbox(): Promise<BusInbox> {
    return Promise.reject(new Error('not used'));
  }
  ensureTopics(): Promise<void> {
    return Promise.resolve();
  }
  health(): Promise<BusHealth> {
    return Promise.resolve({ healthy: true });
  }
}

const DEAD = 'test.dead';

function envelope(overrides: Partial<RequestEnvelope> = {}): RequestEnvelope {
  return {
    requestId: 'inst/1',
    serviceName: 'vrpc.echo.EchoService',
    methodName: 'Echo',
    payload: Buffer.from([0x0a, 0x01, 0x61]),
    metadata: {},
    timestamp: Date.now(),
    timeoutMs: 10_000,
    clientId: 'test',
    replyTo: 'test.replies',
    replyPartition: 2,
    deadline: Date.now() + 10_000,
    taskKey: '',
    attempt: 0,
    oneWay: false,
    ...overrides,
  };
}

function message(value: Buffer, overrides: Partial<IncomingMessage> = {}): IncomingMessage {
  return { topic: 'test.req', partition: 1, offset: '17', key: 'k-1', value, headers: { 'vrpc-id': 'inst/1' }, ...overrides };
}

/** A dispatcher on a fake bus whose executor counts its runs and answers OK with the request's payload. */
function setUp(
  options: {
    maxDeliveries?: number;
    execute?: RequestExecutor;
    limits?: VrpcRequestLimits;
    publishRetryMs?: number;
    headers?: VrpcHeaderSet;
  } = {},
) {
  const bus = new FakeBus();
  const runs: string[] = [];
  const execute: RequestExecutor =
    options.execute ??
    ((request) => {
      runs.push(request.requestId);
      return Promise.resolve(okReply(request, request.payload));
    });
  const dispatcher = new RequestDispatcher({
    bus,
    execute,
    deadLetterTopic: DEAD,
    maxDeliveries: options.maxDeliveries,
    limits: options.limits,
    publishRetryMs: options.publishRetryMs,
    headers: options.headers,
  });
  return { bus, runs, dispatcher };
}

describe('RequestDispatcher', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('runs a request and publishes its reply to the caller’s inbox partition, keyed by the call id, without headers', async () => {
    const { bus, runs, dispatcher } = setUp();
    await dispatcher.dispatch(message(encodeRequest(envelope())));
    expect(runs).toEqual(['inst/1']);
    expect(bus.published).toHaveLength(1);
    const [reply] = bus.published;
    expect(reply).toMatchObject({ topic: 'test.replies', partition: 2, key: 'inst/1' });
    expect(reply.headers).toBeUndefined();
    expect(decodeResponse(reply.value)).toMatchObject({
      requestId: 'inst/1',
      statusCode: status.OK,
      payload: Buffer.from([0x0a, 0x01, 0x61]),
    });
  });

  it('with readable headers, puts id and status in the reply headers, and keys it only when the caller named no partition', async () => {
    const { bus, dispatcher } = setUp({ headers: 'readable' });
    await dispatcher.dispatch(message(encodeRequest(envelope())));
    await dispatcher.dispatch(message(encodeRequest(envelope({ requestId: 'inst/2', replyPartition: undefined }))));
    expect(bus.published).toHaveLength(2);
    expect(bus.published[0]).toMatchObject({
      topic: 'test.replies',
      partition: 2,
      key: undefined,
      headers: { 'vrpc-id': 'inst/1', 'vrpc-status': '0' },
    });
    expect(bus.published[1]).toMatchObject({
      topic: 'test.replies',
      partition: undefined,
      key: 'inst/2',
      headers: { 'vrpc-id': 'inst/2', 'vrpc-status': '0' },
    });
  });

  it('keys the reply by request id when the caller named no partition', async () => {
    const { bus, dispatcher } = setUp();
    await dispatcher.dispatch(message(encodeRequest(envelope({ replyPartition: undefined }))));
    expect(bus.published).toHaveLength(1);
    expect(bus.published[0]).toMatchObject({ topic: 'test.replies', partition: undefined, key: 'inst/1' });
  });

  it('dead-letters an unreadable envelope with reason and source headers, and resolves', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { bus, runs, dispatcher } = setUp();
    const garbage = Buffer.from('not an envelope');
    await expect(dispatcher.dispatch(message(garbage))).resolves.toBeUndefined();
    expect(runs).toEqual([]);
    expect(bus.published).toHaveLength(1);
    const [dead] = bus.published;
    expect(dead.topic).toBe(DEAD);
    expect(dead.key).toBe('k-1');
    expect(dead.value).toBe(garbage);
    expect(dead.headers).toMatchObject({ 'vrpc-id': 'inst/1', 'vrpc-dead-source': 'test.req[1]@17' });
    expect(dead.headers?.['vrpc-dead-reason']).toMatch(/^unreadable envelope: /);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/dead-lettered test\.req\[1\]@17: unreadable envelope/));
  });

  it('neither runs nor answers a request whose deadline has passed', async () => {
    const { bus, runs, dispatcher } = setUp();
    await dispatcher.dispatch(message(encodeRequest(envelope({ deadline: Date.now() - 1 }))));
    expect(runs).toEqual([]);
    expect(bus.published).toEqual([]);
    expect(bus.publishAttempts).toBe(0);
  });

  it('runs a one-way request without publishing a reply', async () => {
    const { bus, runs, dispatcher } = setUp();
    await dispatcher.dispatch(message(encodeRequest(envelope({ oneWay: true }))));
    expect(runs).toEqual(['inst/1']);
    expect(bus.publishAttempts).toBe(0);
  });

  it('runs a request delivered twice once, whether the copy comes during or after the first run', async () => {
    let finish: () => void = () => undefined;
    const runs: string[] = [];
    const { bus, dispatcher } = setUp({
      execute: async (request) => {
        runs.push(request.requestId);
        await new Promise<void>((resolve) => (finish = resolve));
        return okReply(request, request.payload);
      },
    });
    const bytes = encodeRequest(envelope());
    const first = dispatcher.dispatch(message(bytes));
    let copyDone = false;
    const copy = dispatcher.dispatch(message(bytes, { offset: '18' })).then(() => (copyDone = true));
    await vi.waitFor(() => expect(runs).toHaveLength(1));
    // The copy is done with at once, holding no worker: the first copy, before it in its
    // partition, keeps the commit from passing it while it runs.
    await vi.waitFor(() => expect(copyDone).toBe(true));
    for (let i = 0; i < 100; i++) await dispatcher.dispatch(message(bytes, { offset: String(100 + i) }));
    finish();
    await Promise.all([first, copy]);
    await dispatcher.dispatch(message(bytes, { offset: '19' }));
    expect(runs).toEqual(['inst/1']);
    expect(bus.published).toHaveLength(1);
  });

  it('dead-letters a request delivered more than maxDeliveries times and answers it ABORTED, without running it', async () => {
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { bus, runs, dispatcher } = setUp({ maxDeliveries: 2 });
    const bytes = encodeRequest(envelope());
    await dispatcher.dispatch(message(bytes, { deliveryCount: 3 }));
    expect(runs).toEqual([]);
    expect(bus.published.map((published) => published.topic)).toEqual([DEAD, 'test.replies']);
    const [dead, reply] = bus.published;
    expect(dead.value).toBe(bytes);
    expect(dead.headers?.['vrpc-dead-reason']).toBe('poison: delivered 3 times without finishing');
    expect(dead.headers?.['vrpc-dead-source']).toBe('test.req[1]@17');
    expect(reply.key).toBe('inst/1');
    const decoded = decodeResponse(reply.value);
    expect(decoded.statusCode).toBe(status.ABORTED);
    expect(decoded.errorMessage).toMatch(/poison: delivered 3 times/);
  });

  it('runs a request delivered exactly maxDeliveries times (default 5), and sets aside the sixth', async () => {
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { bus, runs, dispatcher } = setUp();
    await dispatcher.dispatch(message(encodeRequest(envelope({ requestId: 'a' })), { deliveryCount: 5 }));
    await dispatcher.dispatch(message(encodeRequest(envelope({ requestId: 'b' })), { deliveryCount: 6 }));
    expect(runs).toEqual(['a']);
    expect(bus.published.map((published) => published.topic)).toEqual(['test.replies', DEAD, 'test.replies']);
  });

  it('logs and resolves when the reply cannot be published before the call’s deadline', async () => {
    const error = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { bus, runs, dispatcher } = setUp({ publishRetryMs: 60_000 });
    bus.failPublishes = true;
    const deadline = Date.now() + 300;
    await expect(dispatcher.dispatch(message(encodeRequest(envelope({ deadline }))))).resolves.toBeUndefined();
    expect(runs).toEqual(['inst/1']);
    // Retried with backoff (50, 100 ms …) until the next wait would pass the deadline.
    expect(bus.publishAttempts).toBeGreaterThan(1);
    expect(Date.now()).toBeGreaterThanOrEqual(deadline - 200);
    expect(error).toHaveBeenCalledWith(
      expect.stringMatching(/reply to id=inst\/1 method=vrpc.echo.EchoService\/Echo not published to .*, given up: Error: broker down/),
    );
  });

  it('stops retrying a reply at publishRetryMs however far the deadline, leaving the request unacknowledged', async () => {
    const { bus, runs, dispatcher } = setUp({ publishRetryMs: 300 });
    bus.failPublishes = true;
    const started = Date.now();
    await expect(dispatcher.dispatch(message(encodeRequest(envelope({ deadline: started + 600_000 }))))).rejects.toThrow('broker down');
    expect(runs).toEqual(['inst/1']);
    expect(bus.publishAttempts).toBeGreaterThan(1);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
  it.each([
    ['service_name', { serviceName: 's'.repeat(257) }, 'service_name is over its limit of 256 characters'],
    ['method_name', { methodName: 'm'.repeat(257) }, 'method_name is over its limit of 256 characters'],
    ['task_key', { taskKey: 'k'.repeat(1025) }, 'task_key is over its limit of 1024 characters'],
    ['client_id', { clientId: 'c'.repeat(257) }, 'client_id is over its limit of 256 characters'],
    [
      'metadata count',
      { metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) },
      'metadata is over its limit of 64 entries',
    ],
    ['metadata bytes', { metadata: { big: 'v'.repeat(16 * 1024) } }, 'metadata is over its limit of 16384 bytes'],
    [
      'repeated metadata count',
      { metadataEntries: [{ key: 'k', values: Array.from({ length: 65 }, () => 'v') }] },
      'metadata is over its limit of 64 entries',
    ],
    [
      'binary metadata bytes',
      { metadataEntries: [{ key: 'k-bin', binaryValues: [Buffer.alloc(16 * 1024)] }] },
      'metadata is over its limit of 16384 bytes',
    ],
  ])('answers a request whose %s is over its limit INVALID_ARGUMENT, without running it', async (_field, fields, text) => {
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { bus, runs, dispatcher } = setUp();
    await dispatcher.dispatch(message(encodeRequest(envelope(fields))));
    expect(runs).toEqual([]);
    expect(bus.published).toHaveLength(1);
    const reply = decodeResponse(bus.published[0].value);
    expect(reply.statusCode).toBe(status.INVALID_ARGUMENT);
    expect(reply.errorMessage).toContain(text);
    dispatcher.close();
  });

  it('dead-letters a request whose id or reply topic is over its limit (it cannot be answered), and takes limits from its options', async () => {
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { bus, runs, dispatcher } = setUp({ limits: { requestId: 8 } });
    await dispatcher.dispatch(message(encodeRequest(envelope({ requestId: 'x'.repeat(9) }))));
    await dispatcher.dispatch(message(encodeRequest(envelope({ replyTo: 'r'.repeat(257) }))));
    await dispatcher.dispatch(message(encodeRequest(envelope({ requestId: 'x'.repeat(8) }))));
    expect(runs).toEqual(['x'.repeat(8)]);
    expect(bus.published.map((published) => published.topic)).toEqual([DEAD, DEAD, 'test.replies']);
    expect(bus.published[0].headers?.['vrpc-dead-reason']).toContain('request_id is over its limit of 8 characters');
  });

  it('logs ids escaped, and a copy skipped a thousand times in one line and a count', async () => {
    const debug = vi.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    const { dispatcher } = setUp();
    const bytes = encodeRequest(envelope({ requestId: 'id\n[Nest] 1 - forged LOG line' }));
    for (let i = 0; i < 1_000; i++) await dispatcher.dispatch(message(bytes, { offset: String(i) }));
    dispatcher.close();
    const lines = debug.mock.calls.map(([line]) => String(line));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('skipped a second copy of id\\n[Nest] 1 - forged LOG line');
    expect(lines[1]).toMatch(/^998 more in 10 s, the last: /);
    expect(lines.join('')).not.toContain('\n');
  });
  it('lets 100 copies of a slow request hold no worker slot of its pool', async () => {
    let finish: () => void = () => undefined;
    const { dispatcher } = setUp({
      execute: async (request) => {
        await new Promise<void>((resolve) => (finish = resolve));
        return okReply(request, request.payload);
      },
    });
    const pool = new HandlerPool(64);
    const bytes = encodeRequest(envelope());
    const acknowledged: string[] = [];
    for (let offset = 0; offset <= 100; offset++) {
      await pool.take();
      pool.run(
        message(bytes, { offset: String(offset) }),
        null,
        (m) => dispatcher.dispatch(m),
        (_outcome, m) => void acknowledged.push(m.offset),
      );
    }
    await vi.waitFor(() => expect(acknowledged).toHaveLength(100));
    expect(pool.inFlight).toBe(1);
    finish();
    await pool.drain();
    expect(acknowledged).toContain('0');
  });
});
