import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerWritableStream,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@vrpc/test-support';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { CallType } from '../protocol/envelope.js';
import { FakeStreamCaller } from '../serving/stream-caller.fake.js';
import { VrpcGateway } from './vrpc-gateway.js';

interface Num {
  n: number;
}
const encode = (value: Num): Buffer => Buffer.from(JSON.stringify(value));
const decode = (bytes: Buffer): Num => JSON.parse(bytes.toString()) as Num;
const SERVICE = 'spec.gw.Streamer';
const method = (name: string, requestStream: boolean, responseStream: boolean) => ({
  path: `/${SERVICE}/${name}`,
  requestStream,
  responseStream,
  requestSerialize: encode,
  requestDeserialize: decode,
  responseSerialize: encode,
  responseDeserialize: decode,
});
const topics = { requestPrefix: 'gws.req.', replies: 'gws.replies', deadLetter: 'gws.dead', streams: 'gws.streams' };

describe('VrpcGateway forwards streams to a plain grpc-js server (fake caller on the memory bus)', () => {
  const bus = new MemoryBus();
  const target = new Server();
  const seen = { cancelled: 0, metadata: [] as string[], finished: 0 };
  let gateway: VrpcGateway;
  let unreachable: VrpcGateway;

  beforeAll(async () => {
    target.addService(
      { Count: method('Count', false, true), Sum: method('Sum', true, false), Echo: method('Echo', true, true) },
      {
        Count: (call: ServerWritableStream<Num, Num>) => {
          seen.metadata.push(String(call.metadata.get('who')[0]));
          if (call.request.n < 0) {
            call.write({ n: 1 });
            const trailers = new Metadata();
            trailers.set('why', 'spec');
            call.emit('error', { code: status.ABORTED, details: 'broke mid-stream', metadata: trailers });
            return;
          }
          call.on('finish', () => seen.finished++);
          for (let i = 0; i < call.request.n; i++) call.write({ n: i });
          call.end();
        },
        Sum: (call: ServerReadableStream<Num, Num>, callback: sendUnaryData<Num>) => {
          let total = 0;
          call.on('data', (value: Num) => (total += value.n));
          call.on('end', () => callback(null, { n: total }));
        },
        Echo: (call: ServerDuplexStream<Num, Num>) => {
          call.on('cancelled', () => seen.cancelled++);
          call.on('data', (value: Num) => call.write({ n: value.n * 10 }));
          call.on('end', () => call.end());
        },
      },
    );
    const port = await new Promise<number>((resolve, reject) =>
      target.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    // A small buffer: a target stream that is not paused while the caller's window is closed overfills it.
    gateway = new VrpcGateway({ targets: { [SERVICE]: `127.0.0.1:${port}` }, topics, streams: { maxBufferedBytes: 4_096 } }, bus);
    await gateway.start();
    // A second gateway, of another service, whose target listens nowhere.
    unreachable = new VrpcGateway({ targets: { 'spec.gw.Nowhere': '127.0.0.1:1' }, topics }, bus);
    await unreachable.start();
  });

  afterAll(async () => {
    await gateway.close();
    await unreachable.close();
    target.forceShutdown();
    await bus.close();
  });

  function call(name: string, callType: CallType, service = SERVICE, metadata?: Record<string, string>, pull = false): FakeStreamCaller {
    return new FakeStreamCaller(bus, {
      service,
      method: name,
      callType,
      requestTopic: `gws.req.${service}`,
      replyTopic: topics.replies,
      metadata,
      pull,
      streams: pull ? { window: 16 } : undefined,
    });
  }
  const values = (caller: FakeStreamCaller) => caller.messages.map((bytes) => decode(bytes).n);

  it('forwards a server stream in order, with the metadata, and ends OK', async () => {
    const caller = call('Count', CallType.SERVER_STREAMING, SERVICE, { who: 'spec' });
    await caller.open(encode({ n: 5 }));
    await waitFor(() => caller.ended !== undefined, 5_000);
    expect(values(caller)).toEqual([0, 1, 2, 3, 4]);
    expect(caller.ended?.statusCode).toBe(status.OK);
    expect(seen.metadata).toContain('spec');
    await caller.close();
  });

  it("pauses the target's stream while the caller's window is closed: a slow reader gets everything, nothing overfills", async () => {
    const caller = call('Count', CallType.SERVER_STREAMING, SERVICE, undefined, true);
    await caller.open(encode({ n: 3_000 }));
    const finished = seen.finished;
    await waitFor(() => caller.acceptance !== undefined && seen.finished > finished, 5_000);
    for (let turn = 0; turn < 10; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(caller.failure).toBeUndefined();
    // 3 000 messages of ~10 bytes would overfill the gateway's 4 KiB buffer were they not held back at the target.
    while (caller.ended === undefined && caller.failure === undefined) {
      caller.channel.read(8);
      await waitFor(() => caller.messages.length > 0);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(caller.ended?.statusCode).toBe(status.OK);
    expect(caller.messages).toHaveLength(3_000);
    expect(values(caller).slice(-2)).toEqual([2_998, 2_999]);
    await caller.close();
  });

  it("ends with the target's status and trailers after the messages before them", async () => {
    const caller = call('Count', CallType.SERVER_STREAMING);
    await caller.open(encode({ n: -1 }));
    await waitFor(() => caller.ended !== undefined, 5_000);
    expect(values(caller)).toEqual([1]);
    expect(caller.ended).toMatchObject({ statusCode: status.ABORTED, errorMessage: 'broke mid-stream', metadata: { why: 'spec' } });
    await caller.close();
  });

  it('forwards a client stream and answers with its one reply', async () => {
    const caller = call('Sum', CallType.CLIENT_STREAMING);
    await caller.open();
    for (const n of [1, 2, 3]) caller.write(encode({ n }));
    caller.halfClose();
    await waitFor(() => caller.ended !== undefined, 5_000);
    expect(values(caller)).toEqual([6]);
    expect(caller.ended?.statusCode).toBe(status.OK);
    await caller.close();
  });

  it('forwards a bidi stream both ways, and a cancel cancels the target call', async () => {
    const caller = call('Echo', CallType.BIDI_STREAMING);
    await caller.open();
    caller.write(encode({ n: 1 }));
    caller.write(encode({ n: 2 }));
    await waitFor(() => caller.messages.length === 2, 5_000);
    expect(values(caller)).toEqual([10, 20]);
    expect(gateway.inFlight).toBe(1);
    caller.cancel();
    await waitFor(() => seen.cancelled === 1, 5_000);
    await waitFor(() => gateway.inFlight === 0);
    await caller.close();
  });

  it('without rights on the streams topic, starts anyway (running) and refuses streams UNAVAILABLE, saying why', async () => {
    // A broker that refuses to create (or describe) the streams topic, as one with ACLs for a unary-only gateway does.
    const strict = new MemoryBus();
    const ensureTopics = strict.ensureTopics.bind(strict);
    strict.ensureTopics = (specs) =>
      specs.some(({ topic }) => topic === 'gwx.streams') ? Promise.reject(new Error('Topic authorization failed')) : ensureTopics(specs);
    const limited = new VrpcGateway(
      { targets: { [SERVICE]: '127.0.0.1:1' }, topics: { ...topics, requestPrefix: 'gwx.req.', streams: 'gwx.streams' } },
      strict,
    );
    await limited.start();
    try {
      expect(limited.state).toBe('running');
      const caller = new FakeStreamCaller(strict, {
        service: SERVICE,
        method: 'Echo',
        callType: CallType.BIDI_STREAMING,
        requestTopic: `gwx.req.${SERVICE}`,
        replyTopic: topics.replies,
      });
      await caller.open();
      await waitFor(() => caller.ended !== undefined, 5_000);
      expect(caller.ended?.stream).toBeUndefined();
      expect(caller.ended?.statusCode).toBe(status.UNAVAILABLE);
      expect(caller.ended?.errorMessage).toContain('this gateway serves no streams');
      expect(caller.ended?.errorMessage).toContain('Topic authorization failed');
      await caller.close();
    } finally {
      await limited.close();
      await strict.close();
    }
  });

  it('ends UNAVAILABLE when the target is unreachable', async () => {
    const caller = call('Echo', CallType.BIDI_STREAMING, 'spec.gw.Nowhere');
    await caller.open();
    await waitFor(() => caller.ended !== undefined, 10_000);
    expect(caller.ended?.statusCode).toBe(status.UNAVAILABLE);
    await caller.close();
  });
});
