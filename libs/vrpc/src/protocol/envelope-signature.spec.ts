import { describe, expect, it } from 'vitest';
import { VrpcConfigError } from '../errors/vrpc-config.error.js';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, type RequestEnvelope, type ResponseEnvelope } from './envelope.js';
import { EnvelopeSigner, writeRequest } from './envelope-signature.js';

const OLD = 'old-secret-0123456789abcdef';
const NEW = Buffer.alloc(32, 7);

const request = (overrides: Partial<RequestEnvelope> = {}): RequestEnvelope => ({
  requestId: 'inst-1/42',
  serviceName: 'vrpc.echo.EchoService',
  methodName: 'Echo',
  payload: Buffer.from([0x0a, 0x02, 0x68, 0x69]),
  metadata: { 'x-trace': 'abc', authorization: 'Bearer t' },
  metadataEntries: [{ key: 'x-bin', values: [], binaryValues: [Buffer.from([0, 1])] }],
  timestamp: 1_767_225_600_123,
  timeoutMs: 30_000,
  clientId: 'billing',
  replyTo: 'vrpc.replies',
  replyPartition: 3,
  deadline: 1_767_225_630_123,
  taskKey: 'order-7',
  attempt: 0,
  oneWay: false,
  ...overrides,
});

const reply = (overrides: Partial<ResponseEnvelope> = {}): ResponseEnvelope => ({
  requestId: 'inst-1/42',
  payload: Buffer.from([0x0a, 0x02, 0x6f, 0x6b]),
  statusCode: 0,
  errorMessage: '',
  metadata: { 'x-served-by': 'pid-1' },
  timestamp: 1_767_225_600_456,
  ...overrides,
});

/** As a receiver sees it: encoded and decoded again. */
const wire = (envelope: RequestEnvelope): RequestEnvelope => decodeRequest(encodeRequest(envelope));

describe('EnvelopeSigner', () => {
  const signer = new EnvelopeSigner({ keys: { old: OLD }, signWith: 'old' });

  it('accepts a signed request after the round trip through the wire, with its key id', () => {
    const signed = wire(signer.signRequest(request()));
    expect(signed.keyId).toBe('old');
    expect(signed.signature).toHaveLength(32);
    expect(signer.verifyRequest(signed)).toEqual({ ok: true, keyId: 'old' });
  });

  it('accepts a signed request with none of the optional fields', () => {
    const bare = request({ metadata: {}, metadataEntries: undefined, replyPartition: undefined, taskKey: '', payload: Buffer.alloc(0) });
    expect(signer.verifyRequest(wire(signer.signRequest(bare)))).toEqual({ ok: true, keyId: 'old' });
  });

  it.each<[string, Partial<RequestEnvelope>]>([
    ['payload', { payload: Buffer.from([0x0a, 0x02, 0x68, 0x6f]) }],
    ['service', { serviceName: 'vrpc.admin.Admin' }],
    ['method', { methodName: 'Reset' }],
    ['id', { requestId: 'inst-1/43' }],
    ['metadata', { metadata: { 'x-trace': 'abc', authorization: 'Bearer admin' } }],
    ['metadata entries', { metadataEntries: [{ key: 'x-bin', values: [], binaryValues: [Buffer.from([0, 2])] }] }],
    ['deadline', { deadline: 1_767_225_999_999 }],
    ['timestamp', { timestamp: 1 }],
    ['timeout', { timeoutMs: 1 }],
    ['reply topic', { replyTo: 'vrpc.req.vrpc.echo.EchoService' }],
    ['reply partition', { replyPartition: 4 }],
    ['no reply partition', { replyPartition: undefined }],
    ['task key', { taskKey: 'order-8' }],
    ['one-way flag', { oneWay: true }],
    ['attempt', { attempt: 1 }],
    ['client id', { clientId: 'mallory' }],
  ])('refuses a request whose %s was changed after signing', (_field, change) => {
    const signed = signer.signRequest(request());
    expect(signer.verifyRequest(wire({ ...signed, ...change }))).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('covers the stream frame: a frame added, removed or changed fails the check', () => {
    const signed = wire(signer.signRequest(request({ stream: { sequence: 3, hasMessage: true, window: 8 } })));
    expect(signer.verifyRequest(signed)).toEqual({ ok: true, keyId: 'old' });
    expect(signer.verifyRequest({ ...signed, stream: { ...signed.stream, cancel: true } })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(signer.verifyRequest({ ...signed, stream: undefined })).toEqual({ ok: false, reason: 'bad-signature' });
    const unary = wire(signer.signRequest(request()));
    expect(signer.verifyRequest({ ...unary, stream: { window: 8 } })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('cannot be fooled by moving bytes from one field to the next', () => {
    const a = signer.signRequest(request({ serviceName: 'ab', methodName: 'c' }));
    expect(signer.verifyRequest({ ...a, serviceName: 'a', methodName: 'bc' })).toEqual({ ok: false, reason: 'bad-signature' });
    const chunks = (envelope: RequestEnvelope): string => {
      const parts: Buffer[] = [];
      writeRequest(envelope, 'k', (chunk) => parts.push(Buffer.from(chunk)));
      return Buffer.concat(parts).toString('hex');
    };
    expect(chunks(request({ metadata: { a: 'bc' } }))).not.toBe(chunks(request({ metadata: { ab: 'c' } })));
  });

  it('refuses an unsigned request, an unknown key id and a wrong key', () => {
    expect(signer.verifyRequest(request())).toEqual({ ok: false, reason: 'unsigned' });
    const other = new EnvelopeSigner({ keys: { old: 'another-secret-0123456789' }, signWith: 'old' });
    expect(signer.verifyRequest(wire(other.signRequest(request())))).toEqual({ ok: false, reason: 'bad-signature' });
    const stranger = new EnvelopeSigner({ keys: { mallory: OLD }, signWith: 'mallory' });
    expect(signer.verifyRequest(wire(stranger.signRequest(request())))).toEqual({ ok: false, reason: 'unknown-key' });
    expect(signer.verifyRequest({ ...request(), keyId: 'old' })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('accepts unsigned envelopes only with require: false, still checking signed ones', () => {
    const lax = new EnvelopeSigner({ keys: { old: OLD }, signWith: 'old', require: false });
    expect(lax.verifyRequest(request())).toEqual({ ok: true });
    expect(lax.verifyRequest({ ...signer.signRequest(request()), taskKey: 'x' })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rotates: both keys accepted during the overlap, the old one refused once removed', () => {
    const overlap = new EnvelopeSigner({ keys: { old: OLD, new: NEW }, signWith: 'new' });
    const after = new EnvelopeSigner({ keys: { new: NEW }, signWith: 'new' });
    const byOld = wire(signer.signRequest(request()));
    expect(overlap.verifyRequest(byOld)).toEqual({ ok: true, keyId: 'old' });
    expect(overlap.verifyRequest(wire(overlap.signRequest(request())))).toEqual({ ok: true, keyId: 'new' });
    expect(after.verifyRequest(byOld)).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('signs a reply with the key of its request where it has it, else its own', () => {
    const overlap = new EnvelopeSigner({ keys: { old: OLD, new: NEW }, signWith: 'new' });
    const toOld = decodeResponse(encodeResponse(overlap.signReply('vrpc.echo.EchoService', reply(), 'old')));
    expect(toOld.keyId).toBe('old');
    expect(signer.verifyReply(toOld, 'vrpc.echo.EchoService')).toEqual({ ok: true, keyId: 'old' });
    expect(overlap.signReply('vrpc.echo.EchoService', reply(), 'gone').keyId).toBe('new');
  });

  it.each<[string, Partial<ResponseEnvelope>]>([
    ['payload', { payload: Buffer.from('FORGED') }],
    ['status', { statusCode: 7 }],
    ['error message', { errorMessage: 'x' }],
    ['metadata', { metadata: {} }],
    ['id', { requestId: 'inst-1/43' }],
  ])('refuses a reply whose %s was changed, and an unsigned reply', (_field, change) => {
    const signed = signer.signReply('s', reply());
    expect(signer.verifyReply(decodeResponse(encodeResponse({ ...signed, ...change })))).toEqual({ ok: false, reason: 'bad-signature' });
    expect(signer.verifyReply(reply())).toEqual({ ok: false, reason: 'unsigned' });
  });

  it('never takes a request signature for a reply signature', () => {
    const signed = signer.signRequest(request());
    const asReply = reply({ signature: signed.signature, keyId: signed.keyId });
    expect(signer.verifyReply(asReply)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('uses the keys of a service where it has its own', () => {
    const perService = new EnvelopeSigner({
      keys: { shared: OLD },
      signWith: 'shared',
      services: { 'vrpc.admin.Admin': { keys: { admin: NEW }, signWith: 'admin' } },
    });
    const admin = perService.signRequest(request({ serviceName: 'vrpc.admin.Admin' }));
    expect(admin.keyId).toBe('admin');
    expect(perService.verifyRequest(wire(signer.signRequest(request({ serviceName: 'vrpc.admin.Admin' }))))).toEqual({
      ok: false,
      reason: 'unknown-key',
    });
    expect(perService.verifyReply(perService.signReply('vrpc.echo.EchoService', reply()), 'vrpc.admin.Admin')).toEqual({
      ok: false,
      reason: 'unknown-key',
    });
  });

  it('refuses keys that cannot sign: none, too short, signWith not listed', () => {
    expect(() => new EnvelopeSigner({ keys: {}, signWith: 'a' })).toThrow(VrpcConfigError);
    expect(() => new EnvelopeSigner({ keys: { a: 'short' }, signWith: 'a' })).toThrow(/security\.keys: key "a" is 5 bytes/);
    expect(() => new EnvelopeSigner({ keys: { a: OLD }, signWith: 'b' })).toThrow(/security\.signWith/);
    expect(() => new EnvelopeSigner({ keys: { a: OLD }, signWith: 'a', services: { S: { keys: { b: OLD }, signWith: 'c' } } })).toThrow(
      /security\.services\.S\.signWith/,
    );
  });
});
