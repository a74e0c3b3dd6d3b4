import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { BusInbox, MessageHandler, VrpcBus } from '../bus/bus.interface.js';
import { EnvelopeSigner } from '../protocol/envelope-signature.js';
import { encodeResponse, type ResponseEnvelope } from '../protocol/envelope.js';
import { ReplyInbox, type StreamTarget } from './reply-inbox.js';
import { RequestTopics } from './request-topics.js';

const signer = new EnvelopeSigner({
  keys: { shared: 'shared-key-0123456789abcdef' },
  signWith: 'shared',
  services: { 'demo.Admin': { keys: { admin: 'admin-key-0123456789abcdef' }, signWith: 'admin' } },
});

async function setup(withSigner: boolean) {
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
  const streamed: ResponseEnvelope[] = [];
  const failed: Array<{ id: string; code: number }> = [];
  const calls = { has: (id: string) => id === 'unary', settle: (r: ResponseEnvelope) => void settled.push(r), fail: () => undefined };
  const live = new Map([['stream', 'demo.Admin']]);
  const streams: StreamTarget = {
    has: (id) => live.has(id),
    serviceOf: (id) => live.get(id),
    receive: (r) => streamed.push(r) > 0,
    fail: (id, code) => void failed.push({ id, code }),
  };
  const inbox = new ReplyInbox(
    bus,
    'c',
    {},
    new RequestTopics(bus, {}),
    [],
    calls,
    'own-partition',
    withSigner ? signer : undefined,
    streams,
  );
  await inbox.get();
  const deliver = (r: ResponseEnvelope) =>
    (handler as MessageHandler)({ topic: 'vrpc.replies', partition: 0, offset: '1', key: null, value: encodeResponse(r), headers: {} });
  return { inbox, settled, streamed, failed, deliver };
}

const reply = (requestId: string, stream?: ResponseEnvelope['stream']): ResponseEnvelope => ({
  requestId,
  payload: Buffer.from('x'),
  statusCode: status.OK,
  errorMessage: '',
  metadata: {},
  timestamp: 1,
  ...(stream ? { stream } : {}),
});

describe('ReplyInbox: replies of streams', () => {
  it('hands frames and replies to a stream id to the streams, unary replies to the calls', async () => {
    const { settled, streamed, deliver } = await setup(false);
    await deliver(reply('unary'));
    await deliver(reply('stream', { sequence: 1, hasMessage: true }));
    await deliver(reply('stream')); // a refusal without a frame
    expect(settled.map((r) => r.requestId)).toEqual(['unary']);
    expect(streamed.map((r) => r.stream?.sequence)).toEqual([1, undefined]);
  });

  it('drops frames for unknown calls (strays), and a frame with a unary id', async () => {
    const { settled, streamed, deliver } = await setup(false);
    await deliver(reply('nobody', { hasMessage: true }));
    await deliver(reply('unary', { hasMessage: true }));
    expect(streamed).toHaveLength(0);
    expect(settled).toHaveLength(0);
  });

  it('with security, checks a frame with its service’s keys and drops (and counts) one that fails', async () => {
    const { inbox, streamed, deliver } = await setup(true);
    await deliver(signer.signReply('demo.Admin', reply('stream', { hasMessage: true })));
    await deliver(signer.signReply('demo.Echo', reply('stream', { hasMessage: true, sequence: 2 }))); // the shared key: not the service's
    await deliver(reply('stream', { hasMessage: true, sequence: 3 })); // unsigned
    expect(streamed.map((r) => r.stream?.sequence)).toEqual([undefined]);
    expect([...inbox.refusedReplies.values()].reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('fails a stream whose OK frame carries metadata gRPC cannot carry (INTERNAL)', async () => {
    const { streamed, failed, deliver } = await setup(false);
    await deliver({ ...reply('stream', { open: true, inboxTopic: 'x' }), metadata: { 'Bad Key': 'v' } });
    expect(streamed).toHaveLength(0);
    expect(failed).toEqual([{ id: 'stream', code: status.INTERNAL }]);
  });
});
