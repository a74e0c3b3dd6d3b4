import { status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { BusInbox, MessageHandler, TopicSpec, VrpcBus } from '../bus/bus.interface.js';
import { encodeResponse, type ResponseEnvelope } from '../protocol/envelope.js';
import { ReplyInbox } from './reply-inbox.js';
import { RequestTopics } from './request-topics.js';

/** A bus that records topic creations and inboxes; `failNextOpen` makes one opening fail. */
function fakeBus() {
  const state = { ensured: [] as TopicSpec[][], handlers: [] as MessageHandler[], closed: 0, failNextOpen: false };
  const bus = {
    connect: () => Promise.resolve(),
    ensureTopics: (specs: TopicSpec[]) => {
      state.ensured.push(specs);
      return Promise.resolve();
    },
    openInbox: (_instanceId: string, topic: string, handler: MessageHandler): Promise<BusInbox> => {
      if (state.failNextOpen) {
        state.failNextOpen = false;
        return Promise.reject(new Error('no broker'));
      }
      state.handlers.push(handler);
      return Promise.resolve({ address: { topic, partition: state.handlers.length }, close: () => Promise.resolve(void state.closed++) });
    },
  } as unknown as VrpcBus;
  return { bus, state };
}

function setup() {
  const { bus, state } = fakeBus();
  const topics = new RequestTopics(bus, {});
  const replies: ResponseEnvelope[] = [];
  const failed: { id: string; error: unknown }[] = [];
  const calls = {
    has: () => true,
    settle: (reply: ResponseEnvelope) => void replies.push(reply),
    fail: (id: string, error: unknown) => void failed.push({ id, error }),
  };
  const inbox = new ReplyInbox(bus, 'client-1', { replyPartitions: 4 }, topics, ['demo.Echo'], calls);
  return { inbox, topics, state, replies, failed };
}

const message = (value: Buffer) => ({ topic: 'vrpc.replies', partition: 0, offset: '0', key: null, value, headers: {} });

describe('ReplyInbox', () => {
  it('opens once, creating the reply topic and the protos’ request topics with it', async () => {
    const { inbox, topics, state } = setup();
    expect(topics.ready('demo.Echo')).toBeUndefined();
    const [first, second] = await Promise.all([inbox.get(), inbox.get()]);
    expect(first).toBe(second);
    expect(state.handlers).toHaveLength(1);
    expect(state.ensured).toEqual([
      [
        { topic: 'vrpc.replies', partitions: 4, replicationFactor: undefined },
        { topic: 'vrpc.req.demo.Echo', partitions: 8, replicationFactor: undefined },
      ],
    ]);
    expect(topics.ready('demo.Echo')).toBe('vrpc.req.demo.Echo');
  });

  it('has a current inbox only once it is open, and none after close', async () => {
    const { inbox, state } = setup();
    const opening = inbox.get();
    expect(inbox.current()).toBeUndefined();
    const opened = await opening;
    expect(inbox.current()).toBe(opened);
    await inbox.close();
    expect(state.closed).toBe(1);
    expect(inbox.current()).toBeUndefined();
    const reopened = await inbox.get();
    expect(reopened).not.toBe(opened);
    expect(inbox.current()).toBe(reopened);
  });

  it('opens again after a failed attempt', async () => {
    const { inbox, state } = setup();
    state.failNextOpen = true;
    await expect(inbox.get()).rejects.toThrow('no broker');
    expect(inbox.current()).toBeUndefined();
    expect(await inbox.get()).toBe(inbox.current());
  });

  it('passes readable replies on and ignores unreadable ones', async () => {
    const { inbox, state, replies } = setup();
    await inbox.get();
    const reply: ResponseEnvelope = {
      requestId: 'client-1/0',
      payload: Buffer.from('ok'),
      statusCode: 0,
      errorMessage: '',
      metadata: {},
      timestamp: 5,
    };
    await state.handlers[0](message(Buffer.from([0xff, 0xff, 0xff])));
    await state.handlers[0](message(encodeResponse(reply)));
    expect(replies.map((received) => received.requestId)).toEqual(['client-1/0']);
  });

  it('fails the call named by the vrpc-id header of an undecodable reply at once, with INTERNAL', async () => {
    const { inbox, state, replies, failed } = setup();
    await inbox.get();
    await state.handlers[0]({ ...message(Buffer.from([0xff, 0xff, 0xff])), headers: { 'vrpc-id': 'client-1/7' } });
    expect(replies).toEqual([]);
    expect(failed).toHaveLength(1);
    expect(failed[0].id).toBe('client-1/7');
    expect(failed[0].error).toMatchObject({ code: status.INTERNAL });
    expect(String((failed[0].error as Error).message)).toContain('could not be read');
  });

  it('fails the call named by the key of an undecodable reply without headers (the default header set) at once', async () => {
    const { inbox, state, replies, failed } = setup();
    await inbox.get();
    await state.handlers[0]({ ...message(Buffer.from([0xff, 0xff, 0xff])), key: 'client-1/8' });
    expect(replies).toEqual([]);
    expect(failed.map(({ id }) => id)).toEqual(['client-1/8']);
    expect(failed[0].error).toMatchObject({ code: status.INTERNAL });
  });

  it('logs the key of an undecodable reply escaped and cut short (a hostile 100 KB key), and goes on reading', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { inbox, state, replies } = setup();
    await inbox.get();
    const hostile = 'forged\n'.repeat(14_000);
    await state.handlers[0]({ ...message(Buffer.from([0xff, 0xff, 0xff])), key: hostile });
    const good = encodeResponse({
      requestId: 'client-1/9',
      payload: Buffer.alloc(0),
      statusCode: 0,
      errorMessage: '',
      metadata: {},
      timestamp: 5,
    });
    await state.handlers[0](message(good));
    expect(replies.map((received) => received.requestId)).toEqual(['client-1/9']);
    const line = warn.mock.calls.map(([text]) => String(text)).find((text) => text.includes('unreadable reply'));
    expect(line).toBeDefined();
    expect(line?.length).toBeLessThan(2_000);
    expect(line).not.toContain('\n');
    warn.mockRestore();
  });

  it('fails a successful reply whose metadata gRPC cannot carry, naming the key escaped; an error reply keeps its status', async () => {
    const { inbox, state, replies, failed } = setup();
    await inbox.get();
    const bad = { 'x-ok': 'fine', 'bad\nkey': 'v' };
    const reply = (requestId: string, statusCode: number): ResponseEnvelope => ({
      requestId,
      payload: Buffer.alloc(0),
      statusCode,
      errorMessage: statusCode ? 'nope' : '',
      metadata: bad,
      timestamp: 1,
    });
    await state.handlers[0](message(encodeResponse(reply('client-1/1', status.OK))));
    await state.handlers[0](message(encodeResponse(reply('client-1/2', status.NOT_FOUND))));
    expect(failed.map(({ id }) => id)).toEqual(['client-1/1']);
    expect(failed[0].error).toMatchObject({ code: status.INTERNAL });
    expect((failed[0].error as Error).message).toContain('"bad\\nkey"');
    expect(replies.map(({ requestId }) => requestId)).toEqual(['client-1/2']);
  });
});
