import { credentials, type Client, loadPackageDefinition, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { FakeStreamServer, type FakeServerOptions, NUMBERS_PROTO, SERVER_INBOX } from '../client/testing/stream-server.fake.js';
import { VrpcClient } from '../client/vrpc-client.js';
import type { VrpcStreamOptions } from '../streaming/stream-options.interface.js';
import { waitFor } from '../testing/bus-conformance/wait-for.js';
import { createVrpcInterceptor } from './create-vrpc-interceptor.js';

interface Num {
  value: number;
}
type Readable = NodeJS.ReadableStream & { cancel(): void; on(event: string, listener: (...args: never[]) => void): Readable };
type Writable = Readable & { write(message: Num): boolean; end(): void };
interface NumbersClient extends Client {
  count(request: { upTo: number }): Readable;
  sum(callback: (error: ServiceError | null, total?: { sum: number; count: number }) => void): Writable;
  echo(): Writable;
}

const definition = loadSync(NUMBERS_PROTO);
const Numbers = (loadPackageDefinition(definition).streamtest as unknown as Record<string, new (...args: unknown[]) => NumbersClient>)
  .Numbers;
const encodeNum = (value: number) =>
  (definition['streamtest.Numbers'] as Record<string, { responseSerialize(v: Num): Buffer }>).Echo.responseSerialize({ value });

const opened: Array<{ client: VrpcClient; server: FakeStreamServer; grpc: NumbersClient }> = [];

async function setup(options: FakeServerOptions = {}, streams: VrpcStreamOptions = {}) {
  const bus = new MemoryBus();
  const server = new FakeStreamServer(bus, options);
  await server.start();
  const client = new VrpcClient({ topics: { streams: SERVER_INBOX }, client: { timeoutMs: 5_000, streams } }, bus);
  await client.connect();
  // No server listens there: every call must go over vRPC.
  const grpc = new Numbers('127.0.0.1:1', credentials.createInsecure(), { interceptors: [createVrpcInterceptor(client)] });
  opened.push({ client, server, grpc });
  return { client, server, grpc };
}

describe('VrpcStreamingCall (the grpc-js interceptor, streaming calls)', () => {
  afterEach(async () => {
    for (const { client, server, grpc } of opened.splice(0)) {
      grpc.close();
      await client.close();
      await server.close();
    }
  });

  it('server streaming: messages through on("data"), then the status', async () => {
    const { server } = await setup({
      handler: (call) => {
        for (let i = 1; i <= 3; i++) call.channel.write(encodeNum(i * 10));
        const trailing = new Metadata();
        trailing.set('done', 'yes');
        call.channel.finish({ code: status.OK, metadata: trailing });
      },
    });
    const { grpc } = opened[0];
    const call = grpc.count({ upTo: 3 });
    const got: number[] = [];
    const events: string[] = [];
    call.on('metadata', () => events.push('metadata'));
    call.on('data', (message: Num) => {
      events.push('data');
      got.push(message.value);
    });
    const final = await new Promise<{ code: number; metadata: Metadata }>((resolve) => call.on('status', resolve));
    expect(got).toEqual([10, 20, 30]);
    expect(events[0]).toBe('metadata');
    expect(final.code).toBe(status.OK);
    expect(final.metadata.get('done')).toEqual(['yes']);
    expect(server.calls[0].opening.serviceName).toBe('streamtest.Numbers');
  });

  it('client streaming: write/end, and the callback gets the one reply', async () => {
    await setup({
      handler: (call) => {
        call.onHalfClose = () => {
          const values = call.received.map((bytes) => bytes.length);
          const sum = (definition['streamtest.Numbers'] as Record<string, { responseSerialize(v: object): Buffer }>).Sum;
          call.channel.write(sum.responseSerialize({ sum: values.length * 100, count: values.length }));
          call.channel.finish({ code: status.OK });
        };
      },
    });
    const { grpc, server } = opened[0];
    const total = await new Promise<{ sum: number; count: number } | undefined>((resolve, reject) => {
      const call = grpc.sum((error, reply) => (error ? reject(error) : resolve(reply)));
      call.write({ value: 1 });
      call.write({ value: 2 });
      call.write({ value: 3 });
      call.end();
    });
    expect(total).toEqual({ sum: 300, count: 3 });
    expect(server.calls[0].received).toHaveLength(3);
  });

  it('bidi: each request echoed; an error status reaches the caller with its code', async () => {
    await setup({
      handler: (call) => {
        call.onMessage = (payload) => call.channel.write(payload);
        call.onHalfClose = () => call.channel.finish({ code: status.ABORTED, message: 'enough' });
      },
    });
    const { grpc } = opened[0];
    const call = grpc.echo();
    const got: number[] = [];
    call.on('data', (message: Num) => got.push(message.value));
    const error = new Promise<ServiceError>((resolve) => call.on('error', resolve));
    call.write({ value: 7 });
    call.write({ value: 8 });
    await waitFor(() => got.length === 2);
    call.end();
    expect((await error).code).toBe(status.ABORTED);
    expect(got).toEqual([7, 8]);
  });

  it('call.cancel() sends a cancel frame', async () => {
    await setup({ handler: (call) => call.channel.write(encodeNum(1)) });
    const { grpc, server } = opened[0];
    const call = grpc.count({ upTo: 100 });
    const got: number[] = [];
    call.on('data', (message: Num) => got.push(message.value));
    const error = new Promise<ServiceError>((resolve) => call.on('error', resolve));
    await waitFor(() => got.length === 1);
    call.cancel();
    expect((await error).code).toBe(status.CANCELLED);
    await waitFor(() => server.calls[0].cancelled);
  });

  it('startRead paces: a paused readable stops granting window, resuming it reads on', async () => {
    await setup(
      {
        handler: (call) => {
          for (let i = 0; i < 40; i++) call.channel.write(encodeNum(i));
          call.channel.finish({ code: status.OK });
        },
      },
      { window: 4 },
    );
    const { grpc, server } = opened[0];
    const call = grpc.count({ upTo: 40 });
    const got: number[] = [];
    call.on('data', (message: Num) => {
      got.push(message.value);
      if (got.length === 2) call.pause();
    });
    // Paused, grpc-js reads on only until its readable buffer is full (its highWaterMark), then stops calling startRead.
    const readable = call as unknown as { readableLength: number; readableHighWaterMark: number };
    await waitFor(() => readable.readableLength >= readable.readableHighWaterMark && server.calls[0]?.channel.bufferedBytes > 0);
    const grant = () => Math.max(0, ...server.frames.map((frame) => frame.stream?.window ?? 0));
    const heldBefore = server.calls[0].channel.bufferedBytes;
    const grantBefore = grant();
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(grant()).toBe(grantBefore);
    expect(server.calls[0].channel.bufferedBytes).toBe(heldBefore);
    // What was granted: what was read (two taken, the buffer full) plus the window, not the whole stream.
    expect(grantBefore).toBeLessThanOrEqual(2 + readable.readableHighWaterMark + 4 + 1);
    expect(got).toHaveLength(2);
    const status$ = new Promise<{ code: number }>((resolve) => call.on('status', resolve));
    call.resume();
    expect((await status$).code).toBe(status.OK);
    expect(got).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('client streaming: a write’s callback waits for the server’s window (grpc-js backpressure)', async () => {
    await setup({ pull: true, streams: { window: 2 } });
    const { grpc, server } = opened[0];
    const written: number[] = [];
    const call = grpc.sum(() => undefined);
    call.on('error', () => undefined);
    for (let i = 0; i < 6; i++) (call.write as (message: Num, callback: () => void) => boolean)({ value: i }, () => written.push(i));
    // The server grants 2 and reads nothing: two messages go out, the third waits in the channel.
    await waitFor(() => server.frames.filter((frame) => frame.stream?.hasMessage).length === 2 && written.length === 2);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual([0, 1]);
    // Three read: window 5. Messages 2–4 go out; the callback of the last waits for room for the next one.
    server.calls[0].channel.read(3);
    await waitFor(() => server.frames.filter((frame) => frame.stream?.hasMessage).length === 5 && written.length === 4);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual([0, 1, 2, 3]);
    server.calls[0].channel.read(1);
    await waitFor(() => written.length === 6);
    expect(server.frames.filter((frame) => frame.stream?.hasMessage)).toHaveLength(6);
    call.cancel();
  });

  it('a deadline ends the call with DEADLINE_EXCEEDED and sends the server a cancel frame', async () => {
    await setup({ handler: () => undefined });
    const { server } = opened[0];
    const grpc = opened[0].grpc as NumbersClient & { count(request: { upTo: number }, options: { deadline: number }): Readable };
    const call = grpc.count({ upTo: 1 }, { deadline: Date.now() + 200 });
    const error = await new Promise<ServiceError>((resolve) => call.on('error', resolve));
    expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    await waitFor(() => server.calls[0]?.cancelled === true);
  });
});
