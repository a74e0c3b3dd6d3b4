import { status } from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VrpcCallError } from '../errors/vrpc-call.error.js';
import type { ResponseEnvelope } from '../protocol/envelope.js';
import { VRPC_PATH_METADATA } from '../protocol/vrpc.constants.js';
import { CallRegistry, type ReplySink } from './call-registry.js';

function recordingSink() {
  const replies: { reply: ResponseEnvelope; path: string }[] = [];
  const errors: unknown[] = [];
  const sink: ReplySink = { reply: (reply, path) => replies.push({ reply, path }), error: (error) => errors.push(error) };
  return { sink, replies, errors };
}

function reply(requestId: string, statusCode = 0, errorMessage = ''): ResponseEnvelope {
  return { requestId, payload: Buffer.from('ok'), statusCode, errorMessage, metadata: { 'x-served-by': 'test' }, timestamp: 0 };
}

describe('CallRegistry', () => {
  let calls: CallRegistry;
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    calls = new CallRegistry();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('makes distinct ids of 128 random bits that name neither the client nor a sequence', () => {
    const ids = [calls.nextId(), calls.nextId(), calls.nextId()];
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(Buffer.from(id, 'base64url')).toHaveLength(16);
  });

  it('delivers an OK reply to its call and forgets the call', () => {
    const { sink, replies, errors } = recordingSink();
    calls.add('a', sink, Date.now() + 1_000, Date.now());
    expect(calls.size).toBe(1);
    calls.settle(reply('a'), 'bus');
    expect(replies).toEqual([{ reply: reply('a'), path: 'bus' }]);
    expect(errors).toEqual([]);
    expect(calls.has('a')).toBe(false);
    expect(calls.size).toBe(0);
  });

  it('fails a call whose reply has an error status, with its code, message and metadata', () => {
    const { sink, replies, errors } = recordingSink();
    calls.add('a', sink, Date.now() + 1_000, Date.now());
    calls.settle(reply('a', status.NOT_FOUND, 'no such thing'), 'direct');
    expect(replies).toEqual([]);
    expect(errors).toHaveLength(1);
    const error = errors[0] as VrpcCallError;
    expect(error).toBeInstanceOf(VrpcCallError);
    expect(error).toMatchObject({ code: status.NOT_FOUND, details: 'no such thing' });
    expect(error.metadata.get('x-served-by')).toEqual(['test']);
    expect(error.metadata.get(VRPC_PATH_METADATA)).toEqual(['direct']);
  });

  it('fails a call with DEADLINE_EXCEEDED at its deadline and forgets it', () => {
    const { sink, errors } = recordingSink();
    calls.add('a', sink, Date.now() + 500, Date.now());
    vi.advanceTimersByTime(499);
    expect(errors).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: status.DEADLINE_EXCEEDED, details: expect.stringMatching(/500 ms/) as unknown });
    expect(calls.has('a')).toBe(false);
  });

  it('fails at once a call whose deadline has already passed', () => {
    const { sink, errors } = recordingSink();
    calls.add('a', sink, Date.now() - 10, Date.now());
    vi.advanceTimersByTime(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: status.DEADLINE_EXCEEDED });
  });

  it('does nothing with a reply that arrives after the deadline', () => {
    const { sink, replies, errors } = recordingSink();
    calls.add('a', sink, Date.now() + 100, Date.now());
    vi.advanceTimersByTime(100);
    calls.settle(reply('a'), 'bus');
    expect(replies).toEqual([]);
    expect(errors).toHaveLength(1);
  });

  it('forgets an unsubscribed call: no reply, no deadline error', () => {
    const { sink, replies, errors } = recordingSink();
    calls.add('a', sink, Date.now() + 100, Date.now());
    calls.forget('a');
    expect(calls.has('a')).toBe(false);
    calls.settle(reply('a'), 'bus');
    vi.advanceTimersByTime(1_000);
    expect(replies).toEqual([]);
    expect(errors).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fails a call once: a later failure or reply finds nothing', () => {
    const { sink, replies, errors } = recordingSink();
    calls.add('a', sink, Date.now() + 100, Date.now());
    calls.fail('a', new Error('first'));
    calls.fail('a', new Error('second'));
    calls.settle(reply('a'), 'bus');
    vi.advanceTimersByTime(1_000);
    expect(errors).toEqual([new Error('first')]);
    expect(replies).toEqual([]);
  });

  it('fails every waiting call on close, each with its own error, and stops their timers', () => {
    const first = recordingSink();
    const second = recordingSink();
    calls.add('a', first.sink, Date.now() + 100, Date.now());
    calls.add('b', second.sink, Date.now() + 100, Date.now());
    calls.failAll(() => new VrpcCallError(status.UNAVAILABLE, 'closed'));
    expect(calls.size).toBe(0);
    expect(first.errors).toEqual([expect.objectContaining({ code: status.UNAVAILABLE, details: 'closed' })]);
    expect(second.errors).toEqual([expect.objectContaining({ code: status.UNAVAILABLE, details: 'closed' })]);
    expect(first.errors[0]).not.toBe(second.errors[0]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ignores a reply for a call it does not know', () => {
    const { sink, replies, errors } = recordingSink();
    calls.add('a', sink, Date.now() + 100, Date.now());
    calls.settle(reply('other'), 'bus');
    expect(replies).toEqual([]);
    expect(errors).toEqual([]);
    expect(calls.has('a')).toBe(true);
  });

  it('still fails a call with INTERNAL when delivering its reply throws, and its deadline stays cleared', () => {
    const errors: unknown[] = [];
    const sink: ReplySink = {
      reply: () => {
        throw new Error('metadata key "bad key" contains illegal characters');
      },
      error: (error) => errors.push(error),
    };
    calls.add('a', sink, Date.now() + 500, Date.now());
    expect(() => calls.settle(reply('a'), 'bus')).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: status.INTERNAL, details: expect.stringContaining('bad key') as unknown });
    expect(calls.has('a')).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(errors).toHaveLength(1);
  });

  it('never throws past itself when a sink’s error handler throws', () => {
    const sink: ReplySink = {
      reply: () => undefined,
      error: () => {
        throw new Error('handler broke');
      },
    };
    calls.add('a', sink, Date.now() + 500, Date.now());
    calls.add('b', sink, Date.now() + 500, Date.now());
    expect(() => calls.settle(reply('a', status.NOT_FOUND, 'no'), 'bus')).not.toThrow();
    expect(() => calls.fail('b', new Error('x'))).not.toThrow();
    expect(calls.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fails an error reply with its own status even when its metadata has keys gRPC rejects (they are left out)', () => {
    const { sink, errors } = recordingSink();
    calls.add('a', sink, Date.now() + 500, Date.now());
    calls.settle({ ...reply('a', status.NOT_FOUND, 'gone'), metadata: { 'bad key': 'v', 'x-ok': 'caf\u00e9', 'x-fine': 'yes' } }, 'bus');
    expect(errors).toHaveLength(1);
    const error = errors[0] as VrpcCallError;
    expect(error).toMatchObject({ code: status.NOT_FOUND, details: 'gone' });
    expect(error.metadata.toJSON()).toEqual({ 'x-fine': ['yes'], [VRPC_PATH_METADATA]: ['bus'] });
    expect(vi.getTimerCount()).toBe(0);
  });
});
