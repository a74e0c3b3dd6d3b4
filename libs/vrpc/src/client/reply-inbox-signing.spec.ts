import { describe, expect, it } from 'vitest';
import type { BusInbox, MessageHandler, VrpcBus } from '../bus/bus.interface.js';
import { EnvelopeSigner } from '../protocol/envelope-signature.js';
import { decodeRequest, encodeResponse, type ResponseEnvelope } from '../protocol/envelope.js';
import type { VrpcSecurityOptions } from '../protocol/security-options.interface.js';
import { ReplyInbox } from './reply-inbox.js';
import { requestEnvelope, requestMessage } from './request-message.js';
import { RequestTopics } from './request-topics.js';

const SECURITY: VrpcSecurityOptions = {
  keys: { shared: 'shared-key-0123456789abcdef' },
  signWith: 'shared',
  services: { 'demo.Admin': { keys: { admin: 'admin-key-0123456789abcdef' }, signWith: 'admin' } },
};
const signer = new EnvelopeSigner(SECURITY);

async function setup() {
  let handler: MessageHandler | undefined;
  const bus = {
    connect: () => Promise.resolve(),
    ensureTopics: () => Promise.resolve(),
    openInbox: (_id: string, topic: string, receive: MessageHandler): Promise<BusInbox> => {
      handler = receive;
      return Promise.resolve({ address: { topic, partition: 0 }, close: () => Promise.resolve() });
    },
  } as unknown as VrpcBus;
  const settled: ResponseEnvelope[] = [];
  const services = new Map([
    ['c/1', 'demo.Echo'],
    ['c/2', 'demo.Admin'],
  ]);
  const calls = {
    has: (id: string) => services.has(id),
    serviceOf: (id: string) => services.get(id),
    settle: (reply: ResponseEnvelope) => void settled.push(reply),
    fail: () => undefined,
  };
  const inbox = new ReplyInbox(bus, 'c', {}, new RequestTopics(bus, {}), [], calls, 'own-partition', signer);
  await inbox.get();
  const deliver = (reply: ResponseEnvelope) =>
    (handler as MessageHandler)({ topic: 'vrpc.replies', partition: 0, offset: '1', key: null, value: encodeResponse(reply), headers: {} });
  return { inbox, settled, deliver };
}

const reply = (requestId: string, text = 'genuine'): ResponseEnvelope => ({
  requestId,
  payload: Buffer.from(text),
  statusCode: 0,
  errorMessage: '',
  metadata: {},
  timestamp: 1,
});

describe('ReplyInbox with security', () => {
  it('ignores unsigned and forged replies, counting them, and takes the genuine one after them', async () => {
    const { inbox, settled, deliver } = await setup();
    await deliver(reply('c/1', 'FORGED'));
    await deliver({ ...signer.signReply('demo.Echo', reply('c/1')), payload: Buffer.from('FORGED') });
    expect(settled).toEqual([]);
    await deliver(signer.signReply('demo.Echo', reply('c/1')));
    expect(settled.map((settledReply) => Buffer.from(settledReply.payload).toString())).toEqual(['genuine']);
    expect(Object.fromEntries(inbox.refusedReplies)).toEqual({ unsigned: 1, 'bad-signature': 1 });
    await inbox.close();
  });

  it("checks a reply with the keys of its call's service", async () => {
    const { inbox, settled, deliver } = await setup();
    await deliver(signer.signReply('demo.Echo', reply('c/2')));
    expect(settled).toEqual([]);
    expect(Object.fromEntries(inbox.refusedReplies)).toEqual({ 'unknown-key': 1 });
    await deliver(signer.signReply('demo.Admin', reply('c/2')));
    expect(settled).toHaveLength(1);
    await inbox.close();
  });
});

describe('requestMessage with a signer', () => {
  it('signs the envelope as it is encoded, with the key of its service', () => {
    const parts = {
      clientId: 'c',
      serviceName: 'demo.Admin',
      method: 'Reset',
      id: 'c/3',
      payload: Buffer.from('x'),
      deadline: 2_000,
      now: 1_000,
    };
    const inbox = { address: { topic: 'vrpc.replies', partition: 5 } } as BusInbox;
    const sent = decodeRequest(requestMessage(requestEnvelope(parts, inbox), 'vrpc.req.demo.Admin', signer).value);
    expect(sent.keyId).toBe('admin');
    expect(signer.verifyRequest(sent)).toEqual({ ok: true, keyId: 'admin' });
    expect(decodeRequest(requestMessage(requestEnvelope(parts, inbox), 'vrpc.req.demo.Admin').value).signature).toBeUndefined();
  });
});
