import { describe, expect, it } from 'vitest';
import type { RequestEnvelope } from '../protocol/envelope.js';
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
