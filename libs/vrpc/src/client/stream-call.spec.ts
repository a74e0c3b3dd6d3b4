import { Metadata, status } from '@grpc/grpc-js';
import { firstValueFrom, from, lastValueFrom, type Observable, Subject, toArray } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { VrpcCallError } from '../errors/vrpc-call.error.js';
import type { RpcMethod } from '../protocol/proto-registry.js';
import { CallType } from '../protocol/stream-frame.js';
import { waitFor } from '../testing/bus-conformance/wait-for.js';
import { FakeStreamServer, type FakeServerOptions, NUMBERS_PROTO, NUMBERS_SERVICE, SERVER_INBOX } from './testing/stream-server.fake.js';
import type { VrpcStreamOptions } from '../streaming/stream-options.interface.js';
import { EnvelopeSigner } from '../protocol/envelope-signature.js';
import type { VrpcSecurityOptions } from '../protocol/security-options.interface.js';
import type { VrpcStreamStatus } from './stream-handle.interface.js';
import { VrpcClient } from './vrpc-client.js';

interface Num {
  value: number;
}
interface Numbers {
  count(request: { upTo: number }, metadata?: Metadata, options?: { timeoutMs?: number }): Observable<Num>;
  sum(
    requests: Observable<Num>,
    metadata?: Metadata,
    options?: { onResponseMetadata?: (m: Metadata) => void },
  ): Observable<{ sum: number; count: number }>;
  echo(requests: Observable<Num>): Observable<Num>;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

const opened: Array<{ client: VrpcClient; server: FakeStreamServer }> = [];

async function setup(options: FakeServerOptions = {}, streams: VrpcStreamOptions = {}, security?: VrpcSecurityOptions) {
  const bus = new MemoryBus();
  const server = new FakeStreamServer(bus, options);
  await server.start();
  const client = new VrpcClient(
    {
      protos: { protoPath: NUMBERS_PROTO, package: 'streamtest', loader: { keepCase: false } },
      topics: { streams: SERVER_INBOX },
      client: { timeoutMs: 5_000, streams },
      security,
    },
    bus,
  );
  await client.connect();
  opened.push({ client, server });
  return { client, server, numbers: client.getService<Numbers>('Numbers'), bus };
}

/** The server's codec for the test's messages. */
function codec(client: VrpcClient) {
  const unwrap = client as unknown as {
    protos: { get(name: string): { methods: Map<string, RpcMethod> } };
  };
  return unwrap.protos.get(NUMBERS_SERVICE).methods;
}

const num = (methods: ReturnType<typeof codec>, value: number) => methods.get('Echo')?.encodeResponse({ value }) as Buffer;

async function failure(source: Observable<unknown>): Promise<VrpcCallError> {
  try {
    await lastValueFrom(source);
  } catch (error: unknown) {
    return error as VrpcCallError;
  }
  throw new Error('the call did not fail');
}

describe('VrpcClient streaming calls', () => {
  afterEach(async () => {
    vi.useRealTimers();
    for (const { client, server } of opened.splice(0)) {
      await client.close();
      await server.close();
    }
  });

  it('server streaming: emits every message in order, then completes on OK', async () => {
    const { client, numbers, server } = await setup({
      handler: (call) => {
        const methods = codec(client);
        const { upTo } = methods.get('Count')?.decodeRequest(call.received[0]) as { upTo: number };
        for (let i = 1; i <= upTo; i++) call.channel.write(num(methods, i));
        call.channel.finish({ code: status.OK });
      },
    });
    const values = await lastValueFrom(numbers.count({ upTo: 5 }).pipe(toArray()));
    expect(values.map((value) => value.value)).toEqual([1, 2, 3, 4, 5]);
    expect(server.calls[0].opening.stream).toMatchObject({ open: true, callType: CallType.SERVER_STREAMING, hasMessage: true, end: true });
    expect(server.calls[0].opening.stream?.window).toBe(256);
  });

  it('server streaming: an error mid-stream reaches the caller after the messages before it, with its code and trailing metadata', async () => {
    const { client, numbers } = await setup({
      handler: (call) => {
        const methods = codec(client);
        call.channel.write(num(methods, 1));
        call.channel.write(num(methods, 2));
        const metadata = new Metadata();
        metadata.set('why', 'out of range');
        call.channel.finish({ code: status.OUT_OF_RANGE, message: 'too far', metadata });
      },
    });
    const seen: number[] = [];
    const error = await new Promise<VrpcCallError>((resolve) =>
      numbers.count({ upTo: 9 }).subscribe({ next: (value) => seen.push(value.value), error: resolve }),
    );
    expect(seen).toEqual([1, 2]);
    expect(error).toBeInstanceOf(VrpcCallError);
    expect(error.code).toBe(status.OUT_OF_RANGE);
    expect(error.details).toBe('too far');
    expect(error.metadata.get('why')).toEqual(['out of range']);
  });

  it('client streaming: sends the requests in order after the acceptance, half-closes, and emits the one reply', async () => {
    const { client, numbers, server } = await setup({
      handler: (call) => {
        const methods = codec(client);
        call.onHalfClose = () => {
          const values = call.received.map((bytes) => (methods.get('Sum')?.decodeRequest(bytes) as Num).value);
          const total = methods.get('Sum')?.encodeResponse({ sum: values.reduce((a, b) => a + b, 0), count: values.length }) as Buffer;
          call.channel.write(total);
          call.channel.finish({ code: status.OK });
        };
      },
    });
    const requests = new Subject<Num>();
    const reply = firstValueFrom(numbers.sum(requests));
    await waitFor(() => server.calls.length === 1);
    // Subscribed only once accepted: what the caller emits now goes out.
    await waitFor(() => requests.observed);
    for (const value of [3, 4, 5]) requests.next({ value });
    requests.complete();
    expect(await reply).toEqual({ sum: 12, count: 3 });
    expect(server.calls[0].opening.stream?.callType).toBe(CallType.CLIENT_STREAMING);
    expect(server.calls[0].opening.payload.length).toBe(0);
  });

  it('client streaming from a synchronous Observable (from([...])): every request, the half-close, the leading metadata', async () => {
    const sumHandler: FakeServerOptions['handler'] = (call) => {
      call.onHalfClose = () => {
        const methods = codec(opened[opened.length - 1].client);
        const values = call.received.map((bytes) => (methods.get('Sum')?.decodeRequest(bytes) as Num).value);
        call.channel.write(methods.get('Sum')?.encodeResponse({ sum: values.reduce((a, b) => a + b, 0), count: values.length }) as Buffer);
        call.channel.finish({ code: status.OK });
      };
    };
    const { numbers } = await setup({ handler: sumHandler });
    const leading: Metadata[] = [];
    const total = await firstValueFrom(
      numbers.sum(from([{ value: 1 }, { value: 2 }, { value: 3 }]), undefined, { onResponseMetadata: (m) => leading.push(m) }),
    );
    expect(total).toEqual({ sum: 6, count: 3 });
    expect(leading).toHaveLength(1);
    expect(leading[0].get('vrpc-path')).toEqual(['bus']);
    expect(await firstValueFrom(numbers.sum(from([])))).toEqual({ sum: 0, count: 0 });
  });

  it('a request stream that errors cancels the call: the caller gets CANCELLED, the server a cancel frame', async () => {
    const { numbers, server } = await setup({ handler: () => undefined });
    const requests = new Subject<Num>();
    const error = failure(numbers.sum(requests));
    await waitFor(() => requests.observed);
    requests.next({ value: 1 });
    requests.error(new Error('no more input'));
    const failed = await error;
    expect(failed.code).toBe(status.CANCELLED);
    expect(failed.details).toContain('no more input');
    await waitFor(() => server.calls[0].cancelled);
  });

  it('with security, signs every frame and checks every reply', async () => {
    const security: VrpcSecurityOptions = { keys: { k1: 'stream-key-0123456789abcdef' }, signWith: 'k1' };
    const { numbers, server } = await setup(
      {
        signer: new EnvelopeSigner(security),
        handler: (call) => {
          call.onMessage = (payload) => call.channel.write(payload);
          call.onHalfClose = () => call.channel.finish({ code: status.OK });
        },
      },
      {},
      security,
    );
    const got = await lastValueFrom(numbers.echo(from([{ value: 4 }, { value: 5 }])).pipe(toArray()));
    expect(got.map((value) => value.value)).toEqual([4, 5]);
    // Two message frames, the half-close riding on the second; the opening signed as a unary request.
    expect(server.frames.filter((frame) => frame.stream?.hasMessage)).toHaveLength(2);
    expect(server.frames.some((frame) => frame.stream?.end)).toBe(true);
    expect(server.frames.every((frame) => frame.signature !== undefined)).toBe(true);
    expect(server.calls[0].opening.signature).toBeDefined();
    expect(server.forged).toHaveLength(0);
  });

  it('bidi: echoes each request as it comes', async () => {
    const { numbers } = await setup({
      handler: (call) => {
        call.onMessage = (payload) => call.channel.write(payload);
        call.onHalfClose = () => call.channel.finish({ code: status.OK });
      },
    });
    const requests = new Subject<Num>();
    const got: number[] = [];
    const done = new Promise<void>((resolve, reject) =>
      numbers.echo(requests).subscribe({ next: (value) => got.push(value.value), error: reject, complete: resolve }),
    );
    await waitFor(() => requests.observed);
    requests.next({ value: 1 });
    await waitFor(() => got.length === 1);
    requests.next({ value: 2 });
    requests.next({ value: 3 });
    requests.complete();
    await done;
    expect(got).toEqual([1, 2, 3]);
  });

  it('a refusal without a frame (an old server) ends the call with its status', async () => {
    const { numbers } = await setup({ refuse: { code: status.UNIMPLEMENTED, message: 'no such method' } });
    const error = await failure(numbers.count({ upTo: 1 }));
    expect(error.code).toBe(status.UNIMPLEMENTED);
    expect(error.details).toBe('no such method');
  });

  it('a deadline fails the call with DEADLINE_EXCEEDED and sends a cancel frame', async () => {
    const { numbers, server } = await setup({ handler: () => undefined });
    const error = await failure(numbers.count({ upTo: 1 }, undefined, { timeoutMs: 150 }));
    expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    await waitFor(() => server.calls[0]?.cancelled === true);
    expect(server.frames.some((frame) => frame.stream?.cancel)).toBe(true);
  });

  it('unsubscribing sends a cancel frame', async () => {
    const { client, numbers, server } = await setup({ handler: (call) => call.channel.write(num(codec(client), 1)) });
    const got: number[] = [];
    const subscription = numbers.count({ upTo: 1 }).subscribe((value) => got.push(value.value));
    await waitFor(() => got.length === 1);
    subscription.unsubscribe();
    await waitFor(() => server.calls[0].cancelled);
    expect(server.frames.filter((frame) => frame.stream?.cancel)).toHaveLength(1);
  });

  it('a call cancelled before its acceptance answers the acceptance with a cancel', async () => {
    const { numbers, server } = await setup({ manualAccept: true });
    const subscription = numbers.count({ upTo: 1 }).subscribe();
    await waitFor(() => server.calls.length === 1);
    subscription.unsubscribe();
    expect(server.frames).toHaveLength(0);
    server.calls[0].accept();
    await waitFor(() => server.calls[0].cancelled);
    expect(server.frames[0].requestId).toBe(server.calls[0].opening.requestId);
  });

  it('does not follow an acceptance that names another inbox topic than topics.streams: INTERNAL, nothing sent there', async () => {
    const { numbers, server, bus } = await setup({ manualAccept: true });
    const diverted: string[] = [];
    await bus.subscribe({ topics: ['elsewhere'], group: 'spy', concurrency: 1 }, (message) => {
      diverted.push(message.topic);
      return Promise.resolve();
    });
    const failed = failure(numbers.echo(from([{ value: 1 }, { value: 2 }])));
    await waitFor(() => server.calls.length === 1);
    // A forged (or broken) acceptance: the caller's frames would go wherever it says.
    server.calls[0].channel.sendNow({ open: true, inboxTopic: 'elsewhere', inboxPartition: 0 });
    const error = await failed;
    expect(error.code).toBe(status.INTERNAL);
    expect(error.details).toContain('"elsewhere", not topics.streams');
    await tick();
    expect(diverted).toEqual([]);
    expect(server.frames).toHaveLength(0);
  });

  it('fails with UNAVAILABLE within livenessMs when the server goes silent', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'Date'] });
    const { numbers, server } = await setup({ handler: () => undefined }, { heartbeatMs: 100, livenessMs: 500 });
    let error: VrpcCallError | undefined;
    numbers.count({ upTo: 1 }).subscribe({ error: (e: VrpcCallError) => (error = e) });
    // The memory bus delivers on setImmediate, which stays real: the opening, then the acceptance.
    while (server.calls.length === 0) await tick();
    for (let i = 0; i < 5; i++) await tick();
    await vi.advanceTimersByTimeAsync(400);
    expect(error).toBeUndefined();
    expect(server.frames.length).toBeGreaterThan(0); // the caller's heartbeats
    await vi.advanceTimersByTimeAsync(250);
    expect(error?.code).toBe(status.UNAVAILABLE);
  });

  it('refuses a server that sends past the window it was granted (RESOURCE_EXHAUSTED), and cancels it', async () => {
    const { client, server } = await setup(
      {
        handler: (call) => {
          // A broken server: it ignores the caller's grant of 2 and sends a third message.
          const methods = codec(client);
          call.channel.receive({ window: 100 }, call.opening);
          for (let i = 0; i < 3; i++) call.channel.write(num(methods, i));
        },
      },
      { window: 2 },
    );
    const outcome = new Promise<VrpcStreamStatus>((resolve) =>
      client.openStream({
        service: NUMBERS_SERVICE,
        method: 'Count',
        callType: CallType.SERVER_STREAMING,
        listener: { onMessage: () => undefined, onStatus: resolve },
        options: { pull: true },
        request: Buffer.alloc(0),
      }),
    );
    expect((await outcome).code).toBe(status.RESOURCE_EXHAUSTED);
    await waitFor(() => server.calls[0].cancelled);
  });

  it('pull mode grants the server window only as the reader reads', async () => {
    const { client, server } = await setup(
      {
        handler: (call) => {
          const methods = codec(client);
          for (let i = 0; i < 10; i++) call.channel.write(num(methods, i));
        },
      },
      { window: 2 },
    );
    const got: Buffer[] = [];
    const methods = codec(client);
    const handle = client.openStream({
      service: NUMBERS_SERVICE,
      method: 'Count',
      callType: CallType.SERVER_STREAMING,
      listener: { onMessage: (payload) => got.push(payload), onStatus: () => undefined },
      options: { pull: true },
      request: methods.get('Count')?.encodeRequest({ upTo: 10 }),
    });
    await waitFor(() => server.calls.length === 1 && server.calls[0].channel.bufferedBytes > 0);
    // Window 2: two messages sent, eight held by the server, nothing read yet.
    expect(got).toHaveLength(0);
    handle.read(1);
    expect(got).toHaveLength(1);
    handle.read(1);
    await waitFor(() => server.frames.some((frame) => (frame.stream?.window ?? 0) >= 3));
    handle.read(2);
    await waitFor(() => got.length === 4);
    expect(got.map((bytes) => (methods.get('Echo')?.decodeResponse(bytes) as Num).value)).toEqual([0, 1, 2, 3]);
    expect(server.calls[0].channel.bufferedBytes).toBeGreaterThan(0);
    handle.cancel();
  });

  it('close() fails live streams with UNAVAILABLE and cancels them', async () => {
    const { client, numbers, server } = await setup({ handler: () => undefined });
    const error = failure(numbers.count({ upTo: 1 }));
    await waitFor(() => server.calls.length === 1);
    await waitFor(() => (client as unknown as { streams: { registry: { size: number } } }).streams.registry.size === 1);
    await new Promise((resolve) => setImmediate(resolve));
    opened.splice(0);
    await client.close();
    expect((await error).code).toBe(status.UNAVAILABLE);
    await server.close();
  });
});
