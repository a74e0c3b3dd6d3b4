import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IncomingMessage, OutgoingMessage, VrpcBus } from '../bus/bus.interface.js';
import { encodeRequest, type RequestEnvelope } from '../protocol/envelope.js';
import { AnyReplyAddress, ReplyAddresses } from './reply-addresses.js';
import { okReply } from './reply.factory.js';
import { ReplySender } from './reply-sender.js';
import { RequestDispatcher } from './request-dispatcher.js';

const topics = { requestPrefix: 'app.req.', replies: 'app.replies', deadLetter: 'app.dead', requests: { 'x.Shared': 'app.shared' } };

describe('ReplyAddresses', () => {
  it('allows the configured reply topic only, by default', () => {
    const addresses = new ReplyAddresses({ topics });
    expect(addresses.refusal('app.replies')).toBeUndefined();
    expect(addresses.refusal('app.replies2')).toBe('unlisted-topic');
    expect(addresses.refusal('')).toBe('unlisted-topic');
    expect(new ReplyAddresses().refusal('vrpc.replies')).toBeUndefined();
  });

  it('refuses request topics: served here, named in topics.requests, or under the request prefix', () => {
    const addresses = new ReplyAddresses({ topics, served: ['custom.requests'] });
    expect(addresses.refusal('custom.requests')).toBe('request-topic');
    expect(addresses.refusal('app.shared')).toBe('request-topic');
    expect(addresses.refusal('app.req.other.Service')).toBe('request-topic');
    expect(new ReplyAddresses().refusal('vrpc.req.demo.Echo')).toBe('request-topic');
  });

  it('refuses the dead-letter topic and request topics even when listed or matched', () => {
    const listed = new ReplyAddresses({ topics, allowed: ['app.dead', 'app.req.x', 'app.shared', 'team.replies'] });
    expect(listed.refusal('app.dead')).toBe('dead-letter-topic');
    expect(listed.refusal('app.req.x')).toBe('request-topic');
    expect(listed.refusal('app.shared')).toBe('request-topic');
    expect(listed.refusal('team.replies')).toBeUndefined();
    const matched = new ReplyAddresses({ topics, allowed: /app\..*/ });
    expect(matched.refusal('app.dead')).toBe('dead-letter-topic');
    expect(matched.refusal('app.req.x')).toBe('request-topic');
    expect(matched.refusal('app.other-replies')).toBeUndefined();
  });

  it('matches a pattern against the whole name, the same way every time (no lastIndex)', () => {
    const addresses = new ReplyAddresses({ topics, allowed: /team-\d+\.replies/g });
    for (let i = 0; i < 3; i++) expect(addresses.refusal('team-1.replies')).toBeUndefined();
    expect(addresses.refusal('evil.team-1.replies')).toBe('unlisted-topic');
    expect(addresses.refusal('team-1.replies.evil')).toBe('unlisted-topic');
  });

  it('keeps a reply topic under the request prefix allowed (it is configured as the reply topic)', () => {
    const addresses = new ReplyAddresses({ topics: { requestPrefix: 'app.', replies: 'app.replies' } });
    expect(addresses.refusal('app.replies')).toBeUndefined();
    expect(addresses.refusal('app.Echo')).toBe('request-topic');
  });
});

describe('AnyReplyAddress', () => {
  it('refuses only the dead-letter topic', () => {
    const any = new AnyReplyAddress('dead');
    expect(any.refusal('dead')).toBe('dead-letter-topic');
    expect(any.refusal('anything')).toBeUndefined();
  });
});

const ENVELOPE: RequestEnvelope = {
  requestId: 'id-1',
  serviceName: 'demo.Echo',
  methodName: 'Echo',
  payload: Buffer.from('hi'),
  metadata: {},
  timestamp: Date.now(),
  timeoutMs: 60_000,
  clientId: 'client\n[Nest] forged',
  replyTo: 'app.replies',
  replyPartition: 1,
  deadline: Date.now() + 60_000,
  taskKey: '',
  attempt: 0,
  oneWay: false,
};

function setUp() {
  const published: OutgoingMessage[] = [];
  const bus = {
    maxMessageBytes: undefined,
    publish: (messages: OutgoingMessage[]) => (published.push(...messages), Promise.resolve()),
  } as unknown as VrpcBus;
  const warnings: string[] = [];
  const logger = new Logger('test');
  vi.spyOn(logger, 'warn').mockImplementation((line: unknown) => void warnings.push(String(line)));
  vi.spyOn(Logger.prototype, 'warn').mockImplementation((line: unknown) => void warnings.push(String(line)));
  vi.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
  const addresses = new ReplyAddresses({ topics, served: ['app.req.demo.Echo'] });
  return { bus, published, warnings, logger, addresses };
}

describe('reply addresses, where replies are published', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    ['app.req.demo.Echo', 'request-topic'],
    ['app.req.other.Admin', 'request-topic'],
    ['app.dead', 'dead-letter-topic'],
    ['attacker.inbox\n[Nest] LOG', 'unlisted-topic'],
  ])('does not publish a reply to %s: counted as reply:%s and logged escaped, naming the address', async (replyTo, reason) => {
    const { bus, published, warnings, logger, addresses } = setUp();
    const sender = new ReplySender(bus, 'app.dead', logger, { addresses });
    const envelope = { ...ENVELOPE, replyTo };
    await sender.reply(envelope, okReply(envelope, Buffer.from('x')));
    expect(published).toEqual([]);
    expect(sender.dropped.get(`reply:${reason}`)).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(reason);
    expect(warnings[0]).not.toMatch(/\n/);
    expect(warnings[0]).toContain(replyTo.replace('\n', '\\n'));
    expect(warnings[0]).toContain('client\\n[Nest] forged');
    sender.close();
  });

  it('publishes to the configured reply topic', async () => {
    const { bus, published, logger, addresses } = setUp();
    const sender = new ReplySender(bus, 'app.dead', logger, { addresses });
    await sender.reply(ENVELOPE, okReply(ENVELOPE, Buffer.from('x')));
    expect(published).toMatchObject([{ topic: 'app.replies', partition: 1 }]);
  });

  it('does not run a request whose reply address is refused, and is done with it (committed past)', async () => {
    const { bus, published, warnings, addresses } = setUp();
    const runs: string[] = [];
    const dispatcher = new RequestDispatcher({
      bus,
      deadLetterTopic: 'app.dead',
      replyAddresses: addresses,
      execute: (request) => (runs.push(request.requestId), Promise.resolve(okReply(request, Buffer.from('x')))),
    });
    const message = (envelope: RequestEnvelope): IncomingMessage => ({
      topic: 'app.req.demo.Echo',
      partition: 0,
      offset: '5',
      key: 'k',
      value: encodeRequest(envelope),
      headers: {},
    });
    await expect(dispatcher.dispatch(message({ ...ENVELOPE, replyTo: 'app.req.demo.Echo' }))).resolves.toBeUndefined();
    await expect(dispatcher.dispatch(message({ ...ENVELOPE, requestId: 'id-2', replyTo: 'elsewhere' }))).resolves.toBeUndefined();
    expect(runs).toEqual([]);
    expect(published).toEqual([]);
    expect(warnings.some((line) => line.includes('app.req.demo.Echo[1]') && line.includes('from app.req.demo.Echo[0]@5'))).toBe(true);
    // One-way calls have no reply to refuse: they run.
    await dispatcher.dispatch(message({ ...ENVELOPE, requestId: 'id-3', replyTo: 'elsewhere', oneWay: true }));
    await dispatcher.dispatch(message({ ...ENVELOPE, requestId: 'id-4' }));
    expect(runs).toEqual(['id-3', 'id-4']);
    expect(published).toHaveLength(1);
    dispatcher.close();
  });
});
