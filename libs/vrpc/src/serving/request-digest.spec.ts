import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IncomingMessage, VrpcBus } from '../bus/bus.interface.js';
import { encodeRequest, type RequestEnvelope } from '../protocol/envelope.js';
import { okReply } from './reply.factory.js';
import { RequestDispatcher } from './request-dispatcher.js';
import { REQUEST_DIGEST_CHARS, requestDigest } from './request-digest.js';

function envelope(overrides: Partial<RequestEnvelope> = {}): RequestEnvelope {
  return {
    requestId: 'id-1',
    serviceName: 'test.Echo',
    methodName: 'Say',
    payload: Buffer.from('hello'),
    metadata: { a: '1', b: '2' },
    timestamp: 1,
    timeoutMs: 1_000,
    clientId: 'client',
    replyTo: 'replies',
    replyPartition: 3,
    deadline: 1_001,
    taskKey: '',
    attempt: 0,
    oneWay: false,
    ...overrides,
  };
}

describe('requestDigest', () => {
  it('is the same for copies, whatever order the metadata came in and whatever the clock fields say', () => {
    const digest = requestDigest(envelope());
    expect(digest).toHaveLength(REQUEST_DIGEST_CHARS);
    expect(requestDigest(envelope({ metadata: { b: '2', a: '1' }, timestamp: 9, deadline: 9, attempt: 1, clientId: 'x' }))).toBe(digest);
  });

  it.each<[string, Partial<RequestEnvelope>]>([
    ['service', { serviceName: 'test.Other' }],
    ['method', { methodName: 'Shout' }],
    ['payload', { payload: Buffer.from('hellO') }],
    ['task key', { taskKey: 'k' }],
    ['metadata', { metadata: { a: '1', b: '3' } }],
    ['exact metadata', { metadataEntries: [{ key: 'a', values: ['1', '1'] }] }],
    ['reply topic', { replyTo: 'elsewhere' }],
    ['reply partition', { replyPartition: 4 }],
    ['one-way flag', { oneWay: true }],
  ])('differs when the %s differs', (_field, change) => {
    expect(requestDigest(envelope(change))).not.toBe(requestDigest(envelope()));
  });

  it('cannot be matched by moving bytes between fields', () => {
    expect(requestDigest(envelope({ serviceName: 'a', methodName: 'bc' }))).not.toBe(
      requestDigest(envelope({ serviceName: 'ab', methodName: 'c' })),
    );
  });
});

describe('the dispatcher’s copies', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('skips a copy, but runs a request with a known id and other content, with a warning naming it escaped', async () => {
    const warnings: string[] = [];
    vi.spyOn(Logger.prototype, 'warn').mockImplementation((line: unknown) => void warnings.push(String(line)));
    vi.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    const bus = { maxMessageBytes: undefined, publish: () => Promise.resolve() } as unknown as VrpcBus;
    const runs: string[] = [];
    const dispatcher = new RequestDispatcher({
      bus,
      deadLetterTopic: 'dead',
      execute: (request) => (runs.push(Buffer.from(request.payload).toString()), Promise.resolve(okReply(request, Buffer.alloc(0)))),
    });
    const message = (request: RequestEnvelope, offset: string): IncomingMessage => ({
      topic: 'req',
      partition: 0,
      offset,
      key: 'k',
      value: encodeRequest(request),
      headers: {},
    });
    const id = 'id\n[Nest] forged';
    await dispatcher.dispatch(message(envelope({ requestId: id, payload: Buffer.from('pre-empted'), deadline: Date.now() + 60_000 }), '1'));
    await dispatcher.dispatch(message(envelope({ requestId: id, payload: Buffer.from('genuine'), deadline: Date.now() + 60_000 }), '2'));
    await dispatcher.dispatch(message(envelope({ requestId: id, payload: Buffer.from('genuine'), deadline: Date.now() + 60_000 }), '3'));
    expect(runs).toEqual(['pre-empted', 'genuine']);
    expect(warnings).toEqual([
      expect.stringContaining('ran id=id\\n[Nest] forged method=test.Echo/Say from req[0]@2, an id that ran here with other content'),
    ]);
    dispatcher.close();
  });
});
