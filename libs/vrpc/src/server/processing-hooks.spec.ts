import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { Controller, type INestMicroservice } from '@nestjs/common';
import { GrpcMethod, RpcException } from '@nestjs/microservices';
import { waitFor } from '@vrpc/test-support';
import { Test } from '@nestjs/testing';
import { SpanKind, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { firstValueFrom, from, type Observable, throwError } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { VrpcClient } from '../client/vrpc-client.js';
import { VrpcModule } from '../module/vrpc.module.js';
import { CallType } from '../protocol/envelope.js';
import { ProtoRegistry } from '../protocol/proto-registry.js';
import { OtelSdkFake } from '../serving/otel-sdk.fake.js';
import { FakeStreamCaller } from '../serving/stream-caller.fake.js';
import { VrpcContext } from './vrpc.context.js';
import { VrpcServer } from './vrpc-server.js';

const PROTO = `syntax = "proto3";
package spec.hooks;
message Msg { string text = 1; }
service Hooked {
  rpc Say (Msg) returns (Msg);
  rpc Count (Msg) returns (stream Msg);
}
`;
const topics = { requestPrefix: 'hk.req.', replies: 'hk.replies', deadLetter: 'hk.dead', streams: 'hk.streams' };

interface Msg {
  text?: string;
}
interface Hooked {
  say(request: Msg): Observable<Msg>;
}

/** What the hooks saw, in order: the hook, the call id, and the span active when it ran. */
const events: { hook: 'start' | 'end'; id: string; span?: string }[] = [];
const misbehave = { start: false, end: false };

@Controller()
class HookedController {
  @GrpcMethod('Hooked', 'Say')
  say({ text = '' }: Msg): Msg {
    if (text === 'fail') throw new RpcException({ code: status.FAILED_PRECONDITION, message: 'refused' });
    return { text: `said ${text}` };
  }

  @GrpcMethod('Hooked', 'Count')
  count({ text = '' }: Msg): Observable<Msg> {
    if (text === 'fail') return throwError(() => new RpcException({ code: status.DATA_LOSS, message: 'lost' }));
    return from([{ text: 'one' }, { text: 'two' }]);
  }
}

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

function activeSpanId(): string | undefined {
  return trace.getActiveSpan()?.spanContext().spanId;
}

describe("Nest's processing hooks around calls served from the bus (memory bus, real SDK)", () => {
  const bus = new MemoryBus();
  let sdk: OtelSdkFake;
  let app: INestMicroservice;
  let client: VrpcClient;
  let hooked: Hooked;
  let registry: ProtoRegistry;

  beforeAll(async () => {
    sdk = new OtelSdkFake();
    const dir = mkdtempSync(join(tmpdir(), 'vrpc-hooks-'));
    writeFileSync(join(dir, 'hooks.proto'), PROTO);
    const protos = { protoPath: join(dir, 'hooks.proto'), package: 'spec.hooks' };
    registry = new ProtoRegistry(protos);
    const moduleRef = await Test.createTestingModule({
      imports: [VrpcModule.forRoot({ protos, bus, topics })],
      controllers: [HookedController],
    }).compile();
    const server = moduleRef.get(VrpcServer);
    server.setOnProcessingStartHook((_transport, context, done) => {
      events.push({ hook: 'start', id: (context as VrpcContext).getRequestId(), span: activeSpanId() });
      if (misbehave.start) throw new Error('start hook broke');
      void done();
    });
    server.setOnProcessingEndHook((_transport, context) => {
      events.push({ hook: 'end', id: (context as VrpcContext).getRequestId(), span: activeSpanId() });
      if (misbehave.end) throw new Error('end hook broke');
    });
    app = moduleRef.createNestMicroservice({ strategy: server, logger: false });
    await app.listen();
    client = new VrpcClient({ protos, topics, client: { timeoutMs: 5_000 } }, bus);
    hooked = client.getService<Hooked>('Hooked');
  });

  afterAll(async () => {
    await client.close();
    await app.close();
    await bus.close();
    await sdk.shutdown();
  });

  beforeEach(() => {
    events.length = 0;
    misbehave.start = false;
    misbehave.end = false;
    sdk.exporter.reset();
  });

  const serverSpan = (): ReadableSpan | undefined => sdk.spans().find((span) => span.kind === SpanKind.SERVER);

  it('runs start then end once per successful call, with its VrpcContext, inside its SERVER span', async () => {
    await expect(firstValueFrom(hooked.say({ text: 'hi' }))).resolves.toEqual({ text: 'said hi' });
    expect(events.map(({ hook }) => hook)).toEqual(['start', 'end']);
    const span = serverSpan();
    expect(span).toBeDefined();
    expect(events[0].id).toBe(span?.attributes['messaging.message.conversation_id']);
    expect(events[1].id).toBe(events[0].id);
    expect(events[0].span).toBe(span?.spanContext().spanId);
  });

  it('runs them once, in order, for a failing call too; the caller gets its code', async () => {
    await expect(firstValueFrom(hooked.say({ text: 'fail' }))).rejects.toMatchObject({ code: status.FAILED_PRECONDITION });
    expect(events.map(({ hook }) => hook)).toEqual(['start', 'end']);
    expect(events[0].id).toBe(events[1].id);
  });

  it('answers INTERNAL when the start hook throws, and keeps the reply when the end hook does', async () => {
    misbehave.start = true;
    await expect(firstValueFrom(hooked.say({ text: 'hi' }))).rejects.toMatchObject({ code: status.INTERNAL });
    misbehave.start = false;
    misbehave.end = true;
    await expect(firstValueFrom(hooked.say({ text: 'again' }))).resolves.toEqual({ text: 'said again' });
  });

  async function stream(text: string): Promise<FakeStreamCaller> {
    const caller = new FakeStreamCaller(bus, {
      service: 'spec.hooks.Hooked',
      method: 'Count',
      callType: CallType.SERVER_STREAMING,
      requestTopic: 'hk.req.spec.hooks.Hooked',
      replyTopic: topics.replies,
      metadata: { traceparent: `00-${TRACE}-${CALLER_SPAN}-01` },
    });
    await caller.open(registry.find('spec.hooks.Hooked')!.methods.get('Count')!.encodeRequest({ text }));
    await waitFor(() => caller.ended !== undefined && events.length === 2 && serverSpan() !== undefined);
    await caller.close();
    return caller;
  }

  it('wraps a stream from acceptance to end in the hooks and in one SERVER span, child of the caller', async () => {
    const caller = await stream('go');
    expect(caller.messages).toHaveLength(2);
    expect(caller.ended?.statusCode).toBe(status.OK);
    expect(events.map(({ hook }) => hook)).toEqual(['start', 'end']);
    const span = serverSpan();
    expect(span?.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(span?.spanContext().traceId).toBe(TRACE);
    expect(span?.attributes).toMatchObject({ 'vrpc.call.type': 'server_stream', 'rpc.response.status_code': 'OK' });
    expect(events[0].span).toBe(span?.spanContext().spanId);
    expect(sdk.spans().filter((candidate) => candidate.kind === SpanKind.SERVER)).toHaveLength(1);
  });

  it("ends a failing stream's span with its code", async () => {
    const caller = await stream('fail');
    expect(caller.ended?.statusCode).toBe(status.DATA_LOSS);
    expect(serverSpan()?.attributes).toMatchObject({ 'rpc.response.status_code': 'DATA_LOSS', 'error.type': 'DATA_LOSS' });
    expect(events.map(({ hook }) => hook)).toEqual(['start', 'end']);
  });
});
