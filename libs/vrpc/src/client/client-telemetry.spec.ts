import { status } from '@grpc/grpc-js';
import { context, metrics, propagation, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { DataPointType, MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { firstValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage, VrpcBus } from '../bus/bus.interface.js';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { VrpcCallError } from '../errors/vrpc-call.error.js';
import { decodeRequest, encodeResponse, type RequestEnvelope } from '../protocol/envelope.js';
import { requestTopic } from '../protocol/topic-names.js';
import { waitFor } from '../testing/bus-conformance/wait-for.js';
import { VrpcClient } from './vrpc-client.js';

const SERVICE = 'demo.EchoService';

class TestReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

const spans = new InMemorySpanExporter();
const reader = new TestReader();

async function metric(name: string) {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
}

/** A server on the memory bus: answers each request with `code` (OK echoes the payload), or nothing with `silent`. */
async function setup(code: status = status.OK, silent = false) {
  const bus = new MemoryBus();
  const seen: Array<{ envelope: RequestEnvelope; message: IncomingMessage }> = [];
  await bus.connect();
  await bus.ensureTopics([{ topic: requestTopic(SERVICE), partitions: 1 }]);
  await bus.subscribe({ topics: [requestTopic(SERVICE)], group: 'fake', concurrency: 4 }, async (message) => {
    const envelope = decodeRequest(message.value);
    seen.push({ envelope, message });
    if (silent || envelope.oneWay) return;
    const value = encodeResponse({
      requestId: envelope.requestId,
      payload: envelope.payload,
      statusCode: code,
      errorMessage: code === status.OK ? '' : 'no such method',
      metadata: {},
      timestamp: Date.now(),
    });
    await bus.publish([
      {
        topic: envelope.replyTo,
        partition: envelope.replyPartition,
        key: envelope.requestId,
        value,
        headers: { 'vrpc-id': envelope.requestId },
      },
    ]);
  });
  const client = new VrpcClient({ client: { timeoutMs: 2_000 } }, bus);
  clients.push(client);
  await client.connect();
  return { bus, client, seen };
}

const clients: VrpcClient[] = [];

describe('VrpcClient telemetry (the real SDK in-process)', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    spans.reset();
  });
  afterAll(() => {
    trace.disable();
    metrics.disable();
    propagation.disable();
    context.disable();
  });

  it('a call is one CLIENT span, child of the active span, whose traceparent travels in the metadata and the headers', async () => {
    const { bus, client, seen } = await setup();
    const tracer = trace.getTracer('spec');
    await tracer.startActiveSpan('outer', async (outer) => {
      await firstValueFrom(client.callRaw(SERVICE, 'Echo', Buffer.from('hi')));
      outer.end();
    });
    const call = spans.getFinishedSpans().find((span) => span.name === `${SERVICE}/Echo`);
    const outer = spans.getFinishedSpans().find((span) => span.name === 'outer');
    expect(call?.kind).toBe(SpanKind.CLIENT);
    expect(call?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
    expect(call?.attributes).toMatchObject({
      'rpc.system.name': 'grpc',
      'rpc.method': `${SERVICE}/Echo`,
      'messaging.system': (bus as VrpcBus).system ?? 'vrpc-bus',
      'messaging.operation.type': 'send',
      'messaging.destination.name': requestTopic(SERVICE),
      'rpc.response.status_code': 'OK',
      'vrpc.path': 'bus',
    });
    expect(call?.attributes['messaging.message.conversation_id']).toBe(seen[0].envelope.requestId);
    const traceparent = `00-${call?.spanContext().traceId}-${call?.spanContext().spanId}-01`;
    expect(seen[0].envelope.metadata.traceparent).toBe(traceparent);
    expect(String(seen[0].message.headers.traceparent)).toBe(traceparent);
  });

  it("the call's traceparent replaces one the caller's metadata holds", async () => {
    const { client, seen } = await setup();
    const { Metadata } = await import('@grpc/grpc-js');
    const metadata = new Metadata();
    metadata.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    await firstValueFrom(client.callRaw(SERVICE, 'Echo', Buffer.from('hi'), metadata));
    const call = spans.getFinishedSpans().find((span) => span.name === `${SERVICE}/Echo`);
    expect(seen[0].envelope.metadata.traceparent).toContain(call?.spanContext().spanId);
  });

  it('a failing call has ERROR status, its code and error.type; N calls count N by status; in flight returns to 0', async () => {
    const { client } = await setup(status.UNIMPLEMENTED);
    for (let i = 0; i < 3; i++) {
      await expect(firstValueFrom(client.callRaw(SERVICE, 'Missing', Buffer.from('x')))).rejects.toBeInstanceOf(VrpcCallError);
    }
    const failed = spans.getFinishedSpans().filter((span) => span.name === `${SERVICE}/Missing`);
    expect(failed).toHaveLength(3);
    expect(failed[0].status.code).toBe(SpanStatusCode.ERROR);
    expect(failed[0].attributes).toMatchObject({ 'rpc.response.status_code': 'UNIMPLEMENTED', 'error.type': 'UNIMPLEMENTED' });
    const duration = (await metric('rpc.client.call.duration')) as HistogramMetricData;
    expect(duration.dataPointType).toBe(DataPointType.HISTOGRAM);
    const point = duration.dataPoints.find(
      (p) => p.attributes['rpc.method'] === `${SERVICE}/Missing` && p.attributes['rpc.response.status_code'] === 'UNIMPLEMENTED',
    );
    expect(point?.value.count).toBe(3);
    const inFlight = await metric('vrpc.client.calls.in_flight');
    const flying = inFlight?.dataPoints.find((p) => p.attributes['rpc.method'] === `${SERVICE}/Missing`);
    expect(flying?.value).toBe(0);
  });

  it('a call past its deadline ends DEADLINE_EXCEEDED; one unsubscribed from ends CANCELLED', async () => {
    const { client, seen } = await setup(status.OK, true);
    await expect(firstValueFrom(client.callRaw(SERVICE, 'Slow', Buffer.from('x'), undefined, { timeoutMs: 50 }))).rejects.toMatchObject({
      code: status.DEADLINE_EXCEEDED,
    });
    const subscription = client.callRaw(SERVICE, 'Left', Buffer.from('x')).subscribe();
    await waitFor(() => seen.length === 2);
    subscription.unsubscribe();
    const slow = spans.getFinishedSpans().find((span) => span.name === `${SERVICE}/Slow`);
    const left = spans.getFinishedSpans().find((span) => span.name === `${SERVICE}/Left`);
    expect(slow?.attributes['rpc.response.status_code']).toBe('DEADLINE_EXCEEDED');
    expect(slow?.status.code).toBe(SpanStatusCode.ERROR);
    expect(left?.attributes['rpc.response.status_code']).toBe('CANCELLED');
  });

  it('a reply no call waits for increments vrpc.client.replies.dropped (unknown)', async () => {
    const { bus, client, seen } = await setup();
    await firstValueFrom(client.callRaw(SERVICE, 'Echo', Buffer.from('hi')));
    const before = await metric('vrpc.client.replies.dropped');
    const count = () => before?.dataPoints.find((p) => p.attributes['vrpc.reason'] === 'unknown')?.value ?? 0;
    const start = Number(count());
    const value = encodeResponse({
      requestId: 'nobody',
      payload: Buffer.alloc(0),
      statusCode: 0,
      errorMessage: '',
      metadata: {},
      timestamp: 0,
    });
    const { replyTo, replyPartition } = seen[0].envelope;
    await bus.publish([{ topic: replyTo, partition: replyPartition, value, key: 'nobody', headers: {} }]);
    await waitFor(async () => {
      const now = await metric('vrpc.client.replies.dropped');
      return Number(now?.dataPoints.find((p) => p.attributes['vrpc.reason'] === 'unknown')?.value ?? 0) === start + 1;
    });
  });
});
