import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { waitFor } from '@vrpc/test-support';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import type { IncomingMessage } from '../bus/bus.interface.js';
import { EnvelopeSigner } from '../protocol/envelope-signature.js';
import { CallType } from '../protocol/envelope.js';
import { FakeStreamCaller, type FakeCallOptions } from './stream-caller.fake.js';
import { RequestTopicsServer } from './request-topics-server.js';
import { okReply } from './reply.factory.js';
import type { StreamCallIO, StreamExecutor, StreamHandler } from './stream-executor.interface.js';
import type { VrpcServingOptions } from './serving-options.interface.js';

const topics = { requestPrefix: 'ss.req.', replies: 'ss.replies', deadLetter: 'ss.dead', streams: 'ss.streams' };
const SERVICE = 'spec.Streams';
const text = (value: string): Buffer => Buffer.from(value);
const texts = (caller: FakeStreamCaller): string[] => caller.messages.map((message) => message.toString());

describe('streams served from request topics (fake caller on the memory bus)', () => {
  let bus: MemoryBus;
  let server: RequestTopicsServer;
  const callers: FakeStreamCaller[] = [];
  /** What the handlers saw. */
  let calls: StreamCallIO[];
  let dead: IncomingMessage[];

  async function serve(
    handler: ((io: StreamCallIO) => void) | undefined,
    serving: VrpcServingOptions = {},
    security?: { keys: Record<string, string>; signWith: string },
    maxMessageBytes?: number,
  ) {
    bus = new MemoryBus(4, maxMessageBytes);
    dead = [];
    calls = [];
    await bus.subscribe({ topics: [topics.deadLetter], group: 'dead', concurrency: 1 }, (message) => {
      dead.push(message);
      return Promise.resolve();
    });
    server = new RequestTopicsServer({ bus, topics, serving, security, name: 'Spec' });
    const execute: StreamExecutor = (): StreamHandler => (io) => {
      calls.push(io);
      handler?.(io);
    };
    const streams = handler ? { instanceId: 'spec-server', execute } : undefined;
    await server.start([SERVICE], (envelope) => Promise.resolve(okReply(envelope, text('unary'))), undefined, streams);
  }

  function caller(callType: CallType, options: Partial<FakeCallOptions> = {}): FakeStreamCaller {
    const made = new FakeStreamCaller(bus, {
      service: SERVICE,
      method: 'Run',
      callType,
      requestTopic: `ss.req.${SERVICE}`,
      replyTopic: topics.replies,
      ...options,
    });
    callers.push(made);
    return made;
  }

  afterEach(async () => {
    for (const made of callers.splice(0)) await made.close();
    await server.close();
    await bus.close();
  });

  it('streams a server-streaming call in order, then ends OK', async () => {
    await serve((io) => {
      for (const value of ['a', 'b', 'c']) io.write(Buffer.concat([io.opening.payload, text(value)]));
      io.end({ code: status.OK, message: '' });
    });
    const call = caller(CallType.SERVER_STREAMING);
    await call.open(text('x'));
    await waitFor(() => call.ended !== undefined);
    expect(texts(call)).toEqual(['xa', 'xb', 'xc']);
    expect(call.ended?.statusCode).toBe(status.OK);
    expect(call.acceptance?.stream).toMatchObject({ open: true, inboxTopic: topics.streams });
    expect(server.streamCount).toBe(0);
  });

  it('ends with the status and trailing metadata of a failure, after the messages sent before it', async () => {
    await serve((io) => {
      io.write(text('first'));
      io.end({ code: status.ABORTED, message: 'broke', metadata: { why: 'spec' } });
    });
    const call = caller(CallType.SERVER_STREAMING);
    await call.open(text(''));
    await waitFor(() => call.ended !== undefined);
    expect(texts(call)).toEqual(['first']);
    expect(call.ended).toMatchObject({ statusCode: status.ABORTED, errorMessage: 'broke', metadata: { why: 'spec' } });
  });

  it('fails RESOURCE_EXHAUSTED when a producer that cannot wait outruns a reader past maxBufferedBytes', async () => {
    await serve(
      (io) => {
        for (let i = 0; i < 20 && !io.signal.aborted; i++) io.write(Buffer.alloc(100));
      },
      { streams: { maxBufferedBytes: 500 } },
    );
    const call = caller(CallType.SERVER_STREAMING, { pull: true, streams: { window: 2 } });
    await call.open(text(''));
    await waitFor(() => calls[0]?.signal.aborted === true);
    // The reader takes what was sent, then reads the end: no more than its window went out.
    call.channel.read(10);
    await waitFor(() => call.ended !== undefined);
    expect(call.ended?.statusCode).toBe(status.RESOURCE_EXHAUSTED);
    expect(call.messages).toHaveLength(2);
  });

  it('hands a client stream over in order and answers once on half-close', async () => {
    await serve((io) => {
      const got: string[] = [];
      io.onRequests({
        message: (payload) => got.push(payload.toString()),
        end: () => io.end({ code: status.OK, message: '', payload: text(got.join('+')) }),
      });
      io.read(Infinity);
    });
    const call = caller(CallType.CLIENT_STREAMING);
    await call.open();
    for (const value of ['1', '2', '3']) call.write(text(value));
    call.halfClose();
    await waitFor(() => call.ended !== undefined);
    expect(texts(call)).toEqual(['1+2+3']);
    expect(call.ended?.statusCode).toBe(status.OK);
  });

  it('echoes a bidi stream message by message', async () => {
    await serve((io) => {
      io.onRequests({
        message: (payload) => io.write(Buffer.concat([text('echo '), payload])),
        end: () => io.end({ code: status.OK, message: '' }),
      });
      io.read(Infinity);
    });
    const call = caller(CallType.BIDI_STREAMING);
    await call.open();
    call.write(text('a'));
    await waitFor(() => call.messages.length === 1);
    call.write(text('b'));
    call.halfClose();
    await waitFor(() => call.ended !== undefined);
    expect(texts(call)).toEqual(['echo a', 'echo b']);
  });

  it('aborts the handler on a cancel frame, and sends no end', async () => {
    await serve(() => undefined);
    const call = caller(CallType.BIDI_STREAMING);
    await call.open();
    await waitFor(() => call.acceptance !== undefined);
    call.cancel();
    await waitFor(() => calls[0]?.signal.aborted === true);
    expect(server.streamCount).toBe(0);
    expect(call.ended).toBeUndefined();
  });

  it('ends the call DEADLINE_EXCEEDED at its deadline and aborts the handler', async () => {
    await serve(() => undefined);
    const call = caller(CallType.BIDI_STREAMING, { deadlineMs: 300 });
    await call.open();
    await waitFor(() => call.ended !== undefined, 3_000);
    expect(call.ended?.statusCode).toBe(status.DEADLINE_EXCEEDED);
    expect(calls[0].signal.aborted).toBe(true);
  });

  it('aborts the handler within livenessMs of silence from its caller, and not while its heartbeats come', async () => {
    // Only the channels' clocks are faked: the bus and waitFor keep real time.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    try {
      const streams = { heartbeatMs: 100, livenessMs: 500 };
      await serve(() => undefined, { streams });
      const call = caller(CallType.BIDI_STREAMING, { streams });
      await call.open();
      await waitFor(() => calls.length === 1 && call.acceptance !== undefined);
      for (let step = 0; step < 20; step++) {
        vi.advanceTimersByTime(50);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      expect(calls[0].signal.aborted).toBe(false);
      call.silence();
      vi.advanceTimersByTime(400);
      expect(calls[0].signal.aborted).toBe(false);
      vi.advanceTimersByTime(200);
      expect(calls[0].signal.aborted).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses an opening past maxStreams with RESOURCE_EXHAUSTED (a plain reply, no frame)', async () => {
    await serve(() => undefined, { streams: { maxStreams: 1 } });
    const first = caller(CallType.BIDI_STREAMING);
    await first.open();
    await waitFor(() => first.acceptance !== undefined);
    const second = caller(CallType.BIDI_STREAMING);
    await second.open();
    await waitFor(() => second.ended !== undefined);
    expect(second.ended?.statusCode).toBe(status.RESOURCE_EXHAUSTED);
    expect(second.ended?.stream).toBeUndefined();
  });

  it('dead-letters a stream frame that is not an opening on a request topic', async () => {
    await serve(() => undefined);
    const call = caller(CallType.BIDI_STREAMING);
    await call.open(undefined, { stream: { sequence: 0, hasMessage: true } });
    await waitFor(() => dead.length === 1);
    expect(calls).toHaveLength(0);
    expect(call.ended).toBeUndefined();
  });

  it('drops frames with another service or method, or an unknown id', async () => {
    await serve((io) => {
      io.onRequests({ message: (payload) => io.write(payload), end: () => io.end({ code: status.OK, message: '' }) });
      io.read(Infinity);
    });
    const call = caller(CallType.BIDI_STREAMING);
    await call.open();
    await waitFor(() => call.acceptance !== undefined);
    await call.sendFrame({ sequence: 0, hasMessage: true }, text('forged'), { methodName: 'Other' });
    await call.sendFrame({ sequence: 0, hasMessage: true }, text('forged'), { requestId: 'nobody' });
    await waitFor(() => server.droppedFrames.get('wrong-method') === 1 && server.droppedFrames.get('unknown-call') === 1);
    call.write(text('real'));
    await waitFor(() => call.messages.length === 1);
    expect(texts(call)).toEqual(['real']);
  });

  it('with security, drops a frame unsigned or signed with another key', async () => {
    const security = { keys: { k1: 'k1-secret-k1-secret-k1-secret' }, signWith: 'k1' };
    const other = new EnvelopeSigner({ keys: { k2: 'k2-secret-k2-secret-k2-secret' }, signWith: 'k2' });
    await serve(
      (io) => {
        io.onRequests({ message: (payload) => io.write(payload), end: () => io.end({ code: status.OK, message: '' }) });
        io.read(Infinity);
      },
      {},
      security,
    );
    const signer = new EnvelopeSigner(security);
    const call = caller(CallType.BIDI_STREAMING, { signer });
    await call.open();
    await waitFor(() => call.acceptance !== undefined);
    expect(signer.verifyReply(call.acceptance!, SERVICE).ok).toBe(true);
    await call.sendFrame({ sequence: 0, hasMessage: true }, text('unsigned'), {}, null);
    await call.sendFrame({ sequence: 0, hasMessage: true }, text('other key'), {}, other);
    await waitFor(() => server.droppedFrames.get('unauthenticated') === 2);
    call.write(text('real'));
    await waitFor(() => call.messages.length === 1);
    expect(texts(call)).toEqual(['real']);
  });

  it('answers an opening UNIMPLEMENTED with a plain reply when it serves no streams', async () => {
    await serve(undefined);
    const call = caller(CallType.BIDI_STREAMING);
    await call.open();
    await waitFor(() => call.ended !== undefined);
    expect(call.ended?.statusCode).toBe(status.UNIMPLEMENTED);
    expect(call.ended?.stream).toBeUndefined();
  });

  it("ends RESOURCE_EXHAUSTED, after the messages before it, on a message over the bus's size limit", async () => {
    await serve(
      (io) => {
        io.write(text('small'));
        io.write(Buffer.alloc(5_000));
        io.write(text('never'));
      },
      {},
      undefined,
      2_000,
    );
    const call = caller(CallType.SERVER_STREAMING);
    await call.open(text(''));
    await waitFor(() => call.ended !== undefined);
    expect(texts(call)).toEqual(['small']);
    expect(call.ended?.statusCode).toBe(status.RESOURCE_EXHAUSTED);
    expect(calls[0].signal.aborted).toBe(true);
  });

  it('ends its streams UNAVAILABLE when it closes', async () => {
    await serve(() => undefined);
    const call = caller(CallType.BIDI_STREAMING);
    await call.open();
    await waitFor(() => call.acceptance !== undefined);
    await server.close();
    await waitFor(() => call.ended !== undefined);
    expect(call.ended).toMatchObject({ statusCode: status.UNAVAILABLE, errorMessage: 'vRPC: the server is closing' });
    expect(calls[0].signal.aborted).toBe(true);
  });
});

describe('serverStreamSettings', () => {
  it('fills in the defaults and refuses what is not a positive integer, naming the option', async () => {
    const { serverStreamSettings } = await import('./stream-config.js');
    expect(serverStreamSettings({ window: 8 })).toMatchObject({ window: 8, maxStreams: 1_000, livenessMs: 5_000 });
    expect(() => serverStreamSettings({ maxStreams: 0 })).toThrow('vRPC: server.streams.maxStreams: 0 is not a positive integer');
    expect(() => serverStreamSettings({ window: 1.5 }, 'streams')).toThrow('vRPC: streams.window');
  });
});
