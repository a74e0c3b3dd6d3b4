import { status } from '@grpc/grpc-js';
import { describe, expect, it, vi } from 'vitest';
import type { IncomingMessage, OutgoingMessage, VrpcBus } from '../bus/bus.interface.js';
import { EnvelopeSigner } from '../protocol/envelope-signature.js';
import { decodeResponse, encodeRequest, type RequestEnvelope } from '../protocol/envelope.js';
import type { VrpcSecurityOptions } from '../protocol/security-options.interface.js';
import { okReply } from './reply.factory.js';
import { RequestDispatcher } from './request-dispatcher.js';
import type { RequestExecutor } from './request-executor.interface.js';

const SECURITY: VrpcSecurityOptions = { keys: { k1: 'k1-secret-0123456789abcdef' }, signWith: 'k1' };
const signer = new EnvelopeSigner(SECURITY);

function setup(security: VrpcSecurityOptions | undefined) {
  const published: OutgoingMessage[] = [];
  const bus = {
    publish: (messages: OutgoingMessage[]) => Promise.resolve(void published.push(...messages)),
  } as unknown as VrpcBus;
  const execute = vi.fn<RequestExecutor>((envelope) => Promise.resolve(okReply(envelope, Buffer.from('ok'))));
  const dispatcher = new RequestDispatcher({ bus, execute, deadLetterTopic: 'dead', replyTopic: 'replies', security });
  return { dispatcher, execute, published };
}

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

const message = (env: RequestEnvelope): IncomingMessage => ({
  topic: 'vrpc.req.vrpc.echo.EchoService',
  partition: 0,
  offset: '7',
  key: null,
  value: encodeRequest(env),
  headers: {},
});

describe('RequestDispatcher with security', () => {
  it('runs a signed request with the key id as its caller, and signs the reply with that key', async () => {
    const { dispatcher, execute, published } = setup(SECURITY);
    await dispatcher.dispatch(message(signer.signRequest(envelope())));
    expect(execute).toHaveBeenCalledOnce();
    expect(execute.mock.calls[0][2]).toEqual({ keyId: 'k1' });
    const reply = decodeResponse(published[0].value);
    expect(signer.verifyReply(reply, 'vrpc.echo.EchoService')).toEqual({ ok: true, keyId: 'k1' });
  });

  it.each<[string, (env: RequestEnvelope) => RequestEnvelope]>([
    ['unsigned', (env) => env],
    ['tampered', (env) => ({ ...signer.signRequest(env), payload: Buffer.from('evil') })],
    [
      'signed with a key not listed',
      (env) => new EnvelopeSigner({ keys: { k2: 'k1-secret-0123456789abcdef' }, signWith: 'k2' }).signRequest(env),
    ],
  ])('answers an %s request UNAUTHENTICATED, unsigned, without running it', async (_kind, make) => {
    const { dispatcher, execute, published } = setup(SECURITY);
    await dispatcher.dispatch(message(make(envelope())));
    expect(execute).not.toHaveBeenCalled();
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ topic: 'test.replies', partition: 2 });
    const reply = decodeResponse(published[0].value);
    expect(reply.statusCode).toBe(status.UNAUTHENTICATED);
    expect(reply.signature).toBeUndefined();
    dispatcher.close();
  });

  it('drops an unsigned request it cannot answer: one-way, or an id over its limit', async () => {
    const { dispatcher, execute, published } = setup(SECURITY);
    await dispatcher.dispatch(message(envelope({ oneWay: true, replyTo: '' })));
    await dispatcher.dispatch(message(envelope({ requestId: 'x'.repeat(300) })));
    expect(execute).not.toHaveBeenCalled();
    expect(published).toEqual([]);
    dispatcher.close();
  });

  it('answers an unsigned request of the original shape (no reply_to) on the reply topic', async () => {
    const { dispatcher, published } = setup(SECURITY);
    await dispatcher.dispatch(message(envelope({ replyTo: '', replyPartition: undefined, deadline: 0 })));
    expect(published[0].topic).toBe('replies');
    expect(decodeResponse(published[0].value).statusCode).toBe(status.UNAUTHENTICATED);
    dispatcher.close();
  });

  it('without security runs every request, with no caller identity, and signs nothing', async () => {
    const { dispatcher, execute, published } = setup(undefined);
    await dispatcher.dispatch(message(envelope()));
    expect(execute.mock.calls[0][2]).toEqual({});
    expect(decodeResponse(published[0].value).signature).toBeUndefined();
  });
});
