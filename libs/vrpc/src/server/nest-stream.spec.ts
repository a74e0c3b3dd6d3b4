import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, status } from '@grpc/grpc-js';
import {
  type CallHandler,
  type CanActivate,
  Controller,
  type ExecutionContext,
  type INestMicroservice,
  type NestInterceptor,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { GrpcMethod, GrpcStreamCall, GrpcStreamMethod, RpcException } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { map, Observable, reduce } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@vrpc/test-support';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { VrpcModule } from '../module/vrpc.module.js';
import { CallType } from '../protocol/envelope.js';
import { ProtoRegistry } from '../protocol/proto-registry.js';
import { FakeStreamCaller } from '../serving/stream-caller.fake.js';
import { VrpcServer } from './vrpc-server.js';

const PROTO = `syntax = "proto3";
package spec.streams;
message Num { int32 n = 1; }
service Streamer {
  rpc Count (Num) returns (stream Num);
  rpc Pull (Num) returns (stream Num);
  rpc Sum (stream Num) returns (Num);
  rpc Scale (stream Num) returns (stream Num);
  rpc Raw (stream Num) returns (stream Num);
}
`;
const SERVICE = 'spec.streams.Streamer';
const topics = { requestPrefix: 'ns.req.', replies: 'ns.replies', deadLetter: 'ns.dead', streams: 'ns.streams' };

interface Num {
  n?: number;
}

const seen = { teardowns: 0, pulled: 0, pullFinally: 0, intercepted: 0 };

/** Refuses calls whose metadata says `deny`, as a guard under Nest's gRPC transport would. */
class DenyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const [, metadata] = context.getArgs<[unknown, Metadata]>();
    if (metadata.get('deny').length > 0) throw new RpcException({ code: status.PERMISSION_DENIED, message: 'denied' });
    return true;
  }
}

/** Passes the result through, as most interceptors do: Nest then hands over an Observable of it. */
class PassThrough implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    seen.intercepted++;
    return next.handle();
  }
}

@Controller()
@UseGuards(DenyGuard)
class StreamController {
  @GrpcMethod('Streamer', 'Count')
  count({ n = 0 }: Num, metadata: Metadata): Observable<Num> {
    return new Observable<Num>((subscriber) => {
      if (n < 0) {
        subscriber.next({ n: 1 });
        subscriber.error(new RpcException({ code: status.ABORTED, message: 'broke mid-stream' }));
      } else if (n === 0) {
        subscriber.next({ n: Number(metadata.get('start')[0] ?? 0) });
      } else {
        for (let i = 0; i < n; i++) subscriber.next({ n: i });
        subscriber.complete();
      }
      return () => seen.teardowns++;
    });
  }

  @GrpcMethod('Streamer', 'Pull')
  @UseInterceptors(PassThrough)
  async *pull({ n = 0 }: Num): AsyncGenerator<Num> {
    try {
      for (let i = 0; i < n; i++) {
        seen.pulled++;
        yield await Promise.resolve({ n: i });
      }
    } finally {
      seen.pullFinally++;
    }
  }

  @GrpcStreamMethod('Streamer', 'Sum')
  sum(requests: Observable<Num>): Observable<Num> {
    return requests.pipe(
      reduce((total, request) => total + (request.n ?? 0), 0),
      map((n) => ({ n })),
    );
  }

  @GrpcStreamMethod('Streamer', 'Scale')
  scale(requests: Observable<Num>): Observable<Num> {
    return requests.pipe(map((request) => ({ n: (request.n ?? 0) * 10 })));
  }

  @GrpcStreamCall('Streamer', 'Raw')
  raw(): void {
    return undefined;
  }
}

describe('VrpcServer serves Nest streaming handlers (fake caller on the memory bus)', () => {
  const bus = new MemoryBus();
  let app: INestMicroservice;
  let registry: ProtoRegistry;
  const callers: FakeStreamCaller[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vrpc-nest-stream-'));
    writeFileSync(join(dir, 'streams.proto'), PROTO);
    const protos = { protoPath: join(dir, 'streams.proto'), package: 'spec.streams' };
    registry = new ProtoRegistry(protos);
    const moduleRef = await Test.createTestingModule({
      imports: [VrpcModule.forRoot({ protos, bus, topics, server: { streams: { heartbeatMs: 100, livenessMs: 1_000 } } })],
      controllers: [StreamController],
    }).compile();
    app = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VrpcServer), logger: ['error'] });
    await app.listen();
  });

  afterAll(async () => {
    for (const made of callers.splice(0)) await made.close();
    await app.close();
    await bus.close();
  });

  beforeEach(() => {
    seen.teardowns = 0;
    seen.pulled = 0;
    seen.pullFinally = 0;
    seen.intercepted = 0;
  });

  const codec = (method: string) => registry.find(SERVICE)!.methods.get(method)!;

  function call(
    method: string,
    callType: CallType,
    options: { pull?: boolean; window?: number; metadata?: Record<string, string>; deadlineMs?: number } = {},
  ) {
    const made = new FakeStreamCaller(bus, {
      service: SERVICE,
      method,
      callType,
      requestTopic: `ns.req.${SERVICE}`,
      replyTopic: topics.replies,
      pull: options.pull,
      metadata: options.metadata,
      deadlineMs: options.deadlineMs,
      streams: options.window ? { window: options.window } : undefined,
    });
    callers.push(made);
    return made;
  }
  const values = (made: FakeStreamCaller, method: string) =>
    made.messages.map((bytes) => (codec(method).decodeResponse(bytes) as Num).n ?? 0);

  it('writes each value of an Observable, in order, then ends OK', async () => {
    const made = call('Count', CallType.SERVER_STREAMING);
    await made.open(codec('Count').encodeRequest({ n: 5 }));
    await waitFor(() => made.ended !== undefined);
    expect(values(made, 'Count')).toEqual([0, 1, 2, 3, 4]);
    expect(made.ended?.statusCode).toBe(status.OK);
  });

  it('passes the metadata to the handler', async () => {
    const made = call('Count', CallType.SERVER_STREAMING, { metadata: { start: '42' } });
    await made.open(codec('Count').encodeRequest({ n: 0 }));
    await waitFor(() => made.messages.length === 1);
    expect(values(made, 'Count')).toEqual([42]);
    made.cancel();
    await waitFor(() => seen.teardowns === 1);
  });

  it('ends with the code of an error mid-stream, after the messages before it', async () => {
    const made = call('Count', CallType.SERVER_STREAMING);
    await made.open(codec('Count').encodeRequest({ n: -1 }));
    await waitFor(() => made.ended !== undefined);
    expect(values(made, 'Count')).toEqual([1]);
    expect(made.ended).toMatchObject({ statusCode: status.ABORTED, errorMessage: 'broke mid-stream' });
  });

  it('pulls an async generator (through an interceptor) no further than the window, and stops it on cancel', async () => {
    const made = call('Pull', CallType.SERVER_STREAMING, { pull: true, window: 3 });
    await made.open(codec('Pull').encodeRequest({ n: 1_000 }));
    await waitFor(() => seen.pulled >= 3);
    // A few turns of the loop, in which a generator that is not held back would run far ahead.
    for (let turn = 0; turn < 5; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(seen.pulled).toBeLessThanOrEqual(4);
    made.channel.read(3);
    await waitFor(() => made.messages.length === 3 && seen.pulled >= 6);
    expect(seen.pulled).toBeLessThanOrEqual(7);
    made.cancel();
    await waitFor(() => seen.pullFinally === 1);
    expect(values(made, 'Pull')).toEqual([0, 1, 2]);
    expect(seen.intercepted).toBe(1);
  });

  it('answers a client stream once, with the last value of the result, after half-close', async () => {
    const made = call('Sum', CallType.CLIENT_STREAMING);
    await made.open();
    for (const n of [1, 2, 3, 4]) made.write(codec('Sum').encodeRequest({ n }));
    made.halfClose();
    await waitFor(() => made.ended !== undefined);
    expect(values(made, 'Sum')).toEqual([10]);
    expect(made.ended?.statusCode).toBe(status.OK);
  });

  it('answers each message of a bidi stream', async () => {
    const made = call('Scale', CallType.BIDI_STREAMING);
    await made.open();
    made.write(codec('Scale').encodeRequest({ n: 1 }));
    await waitFor(() => made.messages.length === 1);
    made.write(codec('Scale').encodeRequest({ n: 2 }));
    made.halfClose();
    await waitFor(() => made.ended !== undefined);
    expect(values(made, 'Scale')).toEqual([10, 20]);
  });

  it('ends INVALID_ARGUMENT on a request message that cannot be decoded', async () => {
    const made = call('Scale', CallType.BIDI_STREAMING);
    await made.open();
    made.write(Buffer.from([0xff, 0xff, 0xff]));
    await waitFor(() => made.ended !== undefined);
    expect(made.ended?.statusCode).toBe(status.INVALID_ARGUMENT);
  });

  it('runs the guards: a refusal ends the stream with its status', async () => {
    const made = call('Scale', CallType.BIDI_STREAMING, { metadata: { deny: 'yes' } });
    await made.open();
    await waitFor(() => made.ended !== undefined);
    expect(made.ended).toMatchObject({ statusCode: status.PERMISSION_DENIED, errorMessage: 'denied' });
  });

  it('ends a stream that outlasts its deadline DEADLINE_EXCEEDED, and unsubscribes the handler', async () => {
    const made = call('Count', CallType.SERVER_STREAMING, { deadlineMs: 300 });
    await made.open(codec('Count').encodeRequest({ n: 0 }));
    await waitFor(() => made.ended !== undefined, 3_000);
    expect(made.ended?.statusCode).toBe(status.DEADLINE_EXCEEDED);
    expect(values(made, 'Count')).toEqual([0]);
    await waitFor(() => seen.teardowns === 1);
  });

  it('answers a @GrpcStreamCall handler UNIMPLEMENTED, naming @GrpcStreamMethod', async () => {
    const made = call('Raw', CallType.BIDI_STREAMING);
    await made.open();
    await waitFor(() => made.ended !== undefined);
    expect(made.ended?.statusCode).toBe(status.UNIMPLEMENTED);
    expect(made.ended?.errorMessage).toContain('@GrpcStreamMethod');
  });
});
