import { Metadata, status } from '@grpc/grpc-js';
import { firstValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ResponseEnvelope } from '../protocol/envelope.js';
import type { RpcMethod, RpcService } from '../protocol/proto-registry.js';
import { CallRegistry } from './call-registry.js';
import type { RequestParts } from './request-message.js';
import { UnaryCaller } from './unary-caller.js';

/** A JSON "codec" stands in for protobuf: the caller only passes bytes through. */
const ECHO: RpcMethod = {
  name: 'Echo',
  originalName: 'echo',
  path: '/demo.EchoService/Echo',
  streaming: false,
  requestStream: false,
  responseStream: false,
  encodeRequest: (value) => Buffer.from(JSON.stringify(value)),
  decodeRequest: (bytes) => JSON.parse(bytes.toString()) as unknown,
  encodeResponse: (value) => Buffer.from(JSON.stringify(value)),
  decodeResponse: (bytes) => JSON.parse(bytes.toString()) as unknown,
};
const STREAM: RpcMethod = {
  ...ECHO,
  name: 'EchoStream',
  originalName: 'echoStream',
  path: '/demo.EchoService/EchoStream',
  streaming: true,
  requestStream: true,
  responseStream: true,
};
const SERVICE: RpcService = {
  fullName: 'demo.EchoService',
  shortName: 'EchoService',
  methods: new Map([
    ['Echo', ECHO],
    ['EchoStream', STREAM],
  ]),
};

function okReply(requestId: string, value: unknown): ResponseEnvelope {
  return {
    requestId,
    payload: Buffer.from(JSON.stringify(value)),
    statusCode: 0,
    errorMessage: '',
    metadata: { 'x-from': 'fake' },
    timestamp: 0,
  };
}

/** A caller over a real registry and a router that records what it is given. */
function harness(send: (parts: RequestParts) => Promise<void> = () => Promise.resolve()) {
  const sent: RequestParts[] = [];
  const calls = new CallRegistry();
  const caller = new UnaryCaller('client-1', 2_000, calls, {
    send: (parts) => {
      sent.push(parts);
      return send(parts);
    },
  });
  return { caller, calls, sent };
}

describe('UnaryCaller', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('refuses a streaming method at once with UNIMPLEMENTED, sending nothing', async () => {
    const { caller, calls, sent } = harness();
    await expect(firstValueFrom(caller.call(SERVICE, 'EchoStream', { text: 'hi' }))).rejects.toMatchObject({
      code: status.UNIMPLEMENTED,
      details: expect.stringContaining('demo.EchoService/EchoStream is a streaming RPC') as unknown,
    });
    await expect(caller.emit(SERVICE, 'EchoStream', { text: 'hi' })).rejects.toMatchObject({ code: status.UNIMPLEMENTED });
    expect(sent).toEqual([]);
    expect(calls.size).toBe(0);
  });

  it('sends a call on subscription with the default deadline, and decodes its reply', async () => {
    const { caller, calls, sent } = harness();
    const call = caller.call(SERVICE, 'Echo', { text: 'hi' });
    expect(sent).toEqual([]);
    const value = firstValueFrom(call);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      clientId: 'client-1',
      serviceName: 'demo.EchoService',
      method: 'Echo',
      deadline: Date.now() + 2_000,
      oneWay: false,
    });
    expect(JSON.parse(sent[0].payload.toString())).toEqual({ text: 'hi' });
    expect(calls.size).toBe(1);
    calls.settle(okReply(sent[0].id, { text: 'back' }), 'bus');
    expect(await value).toEqual({ text: 'back' });
  });

  it('honours a call deadline of its own', () => {
    const { caller, sent } = harness();
    const deadline = Date.now() + 123;
    caller.call(SERVICE, 'Echo', {}, undefined, { deadline }).subscribe({ error: () => undefined });
    caller.call(SERVICE, 'Echo', {}, undefined, { timeoutMs: 50 }).subscribe({ error: () => undefined });
    expect(sent.map((parts) => parts.deadline)).toEqual([deadline, Date.now() + 50]);
  });

  it('hands the reply metadata, with the path that served it, to onResponseMetadata', async () => {
    const { caller, calls, sent } = harness();
    const seen: Metadata[] = [];
    const value = firstValueFrom(
      caller.call(SERVICE, 'Echo', {}, new Metadata(), { onResponseMetadata: (metadata) => seen.push(metadata) }),
    );
    calls.settle(okReply(sent[0].id, 1), 'direct');
    await value;
    expect(seen[0].get('x-from')).toEqual(['fake']);
    expect(seen[0].get('vrpc-path')).toEqual(['direct']);
  });

  it('fails a call that could not be sent with UNAVAILABLE and forgets it', async () => {
    const { caller, calls } = harness(() => Promise.reject(new Error('broker down')));
    const outcome = firstValueFrom(caller.callRawReply('demo.Raw', 'Do', Buffer.from('x'))).catch((error: unknown) => error);
    expect(await outcome).toMatchObject({ code: status.UNAVAILABLE, details: expect.stringMatching(/broker down/) as unknown });
    expect(calls.size).toBe(0);
  });

  it('forgets a call on unsubscribe', () => {
    const { caller, calls } = harness();
    const subscription = caller.callRawReply('demo.Raw', 'Do', Buffer.from('x')).subscribe();
    expect(calls.size).toBe(1);
    subscription.unsubscribe();
    expect(calls.size).toBe(0);
  });

  it('fails a call of an unknown method with UNIMPLEMENTED, sending nothing', async () => {
    const { caller, sent } = harness();
    const error = await firstValueFrom(caller.call(SERVICE, 'Nope', {})).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: status.UNIMPLEMENTED });
    expect(sent).toEqual([]);
  });

  it('emits a one-way call through the router with the same default deadline, registering nothing', async () => {
    const { caller, calls, sent } = harness();
    await caller.emit(SERVICE, 'Echo', { text: 'event' });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ serviceName: 'demo.EchoService', method: 'Echo', deadline: Date.now() + 2_000, oneWay: true });
    expect(calls.size).toBe(0);
  });

  it('rejects an emit that could not be sent', async () => {
    const { caller } = harness(() => Promise.reject(new Error('broker down')));
    await expect(caller.emit(SERVICE, 'Echo', {})).rejects.toThrow('broker down');
  });
});
