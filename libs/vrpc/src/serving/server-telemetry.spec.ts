import { status } from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BusHealth, BusInbox, BusSubscription, IncomingMessage, OutgoingMessage, VrpcBus } from '../bus/bus.interface.js';
import { encodeRequest, type RequestEnvelope } from '../protocol/envelope.js';
import { VrpcTelemetry } from '../telemetry/vrpc-telemetry.js';
import { OtelSdkFake } from './otel-sdk.fake.js';
import { errorReply, okReply } from './reply.factory.js';
import { RequestDispatcher } from './request-dispatcher.js';
import type { RequestExecutor } from './request-executor.interface.js';

/** A Kafka-like bus that records what is published. */
class RecordingBus implements VrpcBus {
  readonly system = 'kafka';
  readonly capabilities = { deliveryCount: true };
  readonly published: OutgoingMessage[] = [];
  connect = (): Promise<void> => Promise.resolve();
  close = (): Promise<void> => Promise.resolve();
  publish(messages: OutgoingMessage[]): Promise<void> {
    this.published.push(...messages);
    return Promise.resolve();
  }
  subscribe = (): Promise<BusSubscription> => Promise.reject(new Error('not used'));
  openInbox = (): Promise<BusInbox> => Promise.reject(new Error('not used'));
  ensureTopics = (): Promise<void> => Promise.resolve();
  health = (): Promise<BusHealth> => Promise.resolve({ healthy: true });
}

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';
const TRACEPARENT = `00-${TRACE}-${CALLER_SPAN}-01`;
const METHOD = 'vrpc.echo.EchoService/Echo';

let sequence = 0;
function envelope(overrides: Partial<RequestEnvelope> = {}): RequestEnvelope {
  return {
    requestId: `inst/${++sequence}`,
    serviceName: 'vrpc.echo.EchoService',
    methodName: 'Echo',
    payload: Buffer.from([0x0a, 0x01, 0x61]),
    metadata: {},
    timestamp: Date.now() - 40,
    timeoutMs: 10_000,
    clientId: 'test',
    replyTo: 'test.replies',
    replyPartition: 2,
    deadline: Date.now() + 10_000,
    taskKey: '',
    attempt: 0,
    oneWay: false,
    ...overrides,
  };
}

function message(request: RequestEnvelope, headers: Record<string, string> = {}, value = encodeRequest(request)): IncomingMessage {
  return { topic: 'vrpc.req.vrpc.echo.EchoService', partition: 3, offset: '42', key: null, value, headers };
}

describe('the SERVER span and metrics of requests served from the bus (real SDK in-process)', () => {
  let sdk: OtelSdkFake;
  let bus: RecordingBus;
  let dispatcher: RequestDispatcher;
  /** Spans the handler started, by request id. */
  const inner = new Map<string, string>();

  beforeAll(() => {
    sdk = new OtelSdkFake();
  });
  afterAll(async () => {
    await sdk.shutdown();
  });

  beforeEach(() => {
    sdk.exporter.reset();
    bus = new RecordingBus();
    const execute: RequestExecutor = (request) => {
      const span = trace.getTracer('handler').startSpan('handler work');
      inner.set(request.requestId, span.spanContext().spanId);
      span.end();
      if (request.metadata.throw) return Promise.reject(new Error('the pool closed under it'));
      if (request.metadata.fail) return Promise.resolve(errorReply(request, { code: status.INTERNAL, message: 'broke' }));
      return Promise.resolve(okReply(request, request.payload));
    };
    dispatcher = new RequestDispatcher({
      bus,
      execute,
      deadLetterTopic: 'test.dead',
      telemetry: new VrpcTelemetry(bus.system),
      groups: new Map([['vrpc.req.vrpc.echo.EchoService', 'vrpc-vrpc.echo.EchoService']]),
      services: new Set(['vrpc.echo.EchoService']),
    });
  });

  const serverSpans = () => sdk.spans().filter((span) => span.kind === SpanKind.SERVER);

  it('continues the trace in the envelope metadata, with the contract attributes; handler spans are its children', async () => {
    const request = envelope({ metadata: { traceparent: TRACEPARENT } });
    await dispatcher.dispatch(message(request));
    const [span] = serverSpans();
    expect(serverSpans()).toHaveLength(1);
    expect(span.name).toBe(METHOD);
    expect(span.spanContext().traceId).toBe(TRACE);
    expect(span.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(span.attributes).toMatchObject({
      'rpc.system.name': 'grpc',
      'rpc.method': METHOD,
      'rpc.response.status_code': 'OK',
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'vrpc.req.vrpc.echo.EchoService',
      'messaging.destination.partition.id': '3',
      'messaging.kafka.offset': 42,
      'messaging.message.conversation_id': request.requestId,
      'messaging.consumer.group.name': 'vrpc-vrpc.echo.EchoService',
    });
    expect(span.attributes['vrpc.queue.duration']).toBeGreaterThanOrEqual(0.03);
    expect(span.attributes['error.type']).toBeUndefined();
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    const child = sdk.spans().find((candidate) => candidate.spanContext().spanId === inner.get(request.requestId));
    expect(child?.parentSpanContext?.spanId).toBe(span.spanContext().spanId);
    expect(child?.spanContext().traceId).toBe(TRACE);
    expect(await sdk.recorded('rpc.server.call.duration', { 'rpc.method': METHOD, 'rpc.response.status_code': 'OK' })).toBe(1);
    expect(await sdk.recorded('vrpc.server.queue.duration', { 'rpc.method': METHOD })).toBeGreaterThanOrEqual(1);
  });

  it('reads the trace context from the headers when the envelope carries none', async () => {
    await dispatcher.dispatch(message(envelope(), { traceparent: TRACEPARENT }));
    expect(serverSpans()[0].parentSpanContext?.spanId).toBe(CALLER_SPAN);
  });

  it('starts a new trace for an unreadable traceparent, and still serves the call', async () => {
    await dispatcher.dispatch(message(envelope({ metadata: { traceparent: 'zz-not-a-trace' } })));
    const [span] = serverSpans();
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.spanContext().traceId).not.toBe(TRACE);
    expect(bus.published).toHaveLength(1);
  });

  it('marks a failing call ERROR with its code, in the span and the duration histogram', async () => {
    const before = await sdk.recorded('rpc.server.call.duration', { 'rpc.response.status_code': 'INTERNAL', 'error.type': 'INTERNAL' });
    await dispatcher.dispatch(message(envelope({ metadata: { fail: 'yes' } })));
    const [span] = serverSpans();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({ 'rpc.response.status_code': 'INTERNAL', 'error.type': 'INTERNAL' });
    expect(await sdk.recorded('rpc.server.call.duration', { 'rpc.response.status_code': 'INTERNAL', 'error.type': 'INTERNAL' })).toBe(
      before + 1,
    );
    expect(await sdk.count('vrpc.server.calls.in_flight', { 'rpc.method': METHOD })).toBe(0);
  });

  it('ends the span and the in-flight count of a run that threw instead of replying', async () => {
    await expect(dispatcher.dispatch(message(envelope({ metadata: { throw: 'yes' } })))).rejects.toThrow('the pool closed under it');
    const [span] = serverSpans();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({ 'rpc.response.status_code': 'INTERNAL' });
    expect(await sdk.count('vrpc.server.calls.in_flight', { 'rpc.method': METHOD })).toBe(0);
  });

  it('counts a copy as a duplicate (no second span), and an expired request as expired (no span)', async () => {
    const duplicates = await sdk.count('vrpc.server.duplicates', { 'rpc.method': METHOD, 'messaging.system': 'kafka' });
    const request = envelope();
    await dispatcher.dispatch(message(request));
    await dispatcher.dispatch(message(request));
    expect(serverSpans()).toHaveLength(1);
    expect(await sdk.count('vrpc.server.duplicates', { 'rpc.method': METHOD, 'messaging.system': 'kafka' })).toBe(duplicates + 1);
    const expired = await sdk.count('vrpc.server.expired', { 'rpc.method': METHOD });
    await dispatcher.dispatch(message(envelope({ deadline: Date.now() - 1 })));
    expect(serverSpans()).toHaveLength(1);
    expect(await sdk.count('vrpc.server.expired', { 'rpc.method': METHOD })).toBe(expired + 1);
  });

  it('counts dead letters by source topic and a fixed reason word', async () => {
    const labels = (reason: string) => ({ 'messaging.destination.name': 'vrpc.req.vrpc.echo.EchoService', 'vrpc.reason': reason });
    const undecodable = await sdk.count('vrpc.server.dead_letters', labels('undecodable'));
    const poison = await sdk.count('vrpc.server.dead_letters', labels('poison'));
    await dispatcher.dispatch(message(envelope(), {}, Buffer.from('not an envelope \u0000 at all')));
    await dispatcher.dispatch({ ...message(envelope()), deliveryCount: 99 });
    expect(await sdk.count('vrpc.server.dead_letters', labels('undecodable'))).toBe(undecodable + 1);
    expect(await sdk.count('vrpc.server.dead_letters', labels('poison'))).toBe(poison + 1);
    expect(serverSpans()).toHaveLength(0);
    const reasons = (await sdk.points('vrpc.server.dead_letters')).map((point) => point.attributes['vrpc.reason']);
    for (const reason of reasons) expect(reason).toMatch(/^[a-z-]+$/);
  });

  it('labels the metrics of a service not served here `_OTHER`: names from a message are no label', async () => {
    const other = { 'rpc.method': '_OTHER' };
    const before = await sdk.recorded('rpc.server.call.duration', other);
    await dispatcher.dispatch(message(envelope({ serviceName: 'made.Up', methodName: 'Random123' })));
    expect(serverSpans()[0].name).toBe('made.Up/Random123');
    expect(await sdk.recorded('rpc.server.call.duration', other)).toBe(before + 1);
    expect(await sdk.recorded('rpc.server.call.duration', { 'rpc.method': 'made.Up/Random123' })).toBe(0);
  });
});
