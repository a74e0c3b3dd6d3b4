import { credentials, type Client, loadPackageDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { context, propagation, trace, SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { FakeStreamServer, NUMBERS_PROTO, NUMBERS_SERVICE, SERVER_INBOX } from '../client/testing/stream-server.fake.js';
import { VrpcClient } from '../client/vrpc-client.js';
import { decodeRequest, encodeResponse } from '../protocol/envelope.js';
import { requestTopic } from '../protocol/topic-names.js';
import { createVrpcInterceptor } from './create-vrpc-interceptor.js';

interface NumbersClient extends Client {
  one(request: { value: number }, callback: (error: ServiceError | null, reply?: { value: number }) => void): unknown;
  count(request: { upTo: number }): NodeJS.ReadableStream;
}

const definition = loadSync(NUMBERS_PROTO);
const Numbers = (loadPackageDefinition(definition).streamtest as unknown as Record<string, new (...args: unknown[]) => NumbersClient>)
  .Numbers;
const spans = new InMemorySpanExporter();
const closing: Array<() => Promise<void>> = [];

async function grpcClient(streaming: boolean) {
  const bus = new MemoryBus();
  if (streaming) {
    const server = new FakeStreamServer(bus, { handler: (call) => call.channel.finish({ code: 0 }) });
    await server.start();
    closing.push(() => server.close());
  } else {
    await bus.connect();
    await bus.ensureTopics([{ topic: requestTopic(NUMBERS_SERVICE), partitions: 1 }]);
    await bus.subscribe({ topics: [requestTopic(NUMBERS_SERVICE)], group: 'fake', concurrency: 1 }, async (message) => {
      const envelope = decodeRequest(message.value);
      const value = encodeResponse({
        requestId: envelope.requestId,
        payload: envelope.payload,
        statusCode: 0,
        errorMessage: '',
        metadata: {},
        timestamp: 0,
      });
      await bus.publish([{ topic: envelope.replyTo, partition: envelope.replyPartition, key: envelope.requestId, value, headers: {} }]);
    });
  }
  const client = new VrpcClient({ topics: { streams: SERVER_INBOX }, client: { timeoutMs: 5_000 } }, bus);
  closing.push(() => client.close());
  // No server listens there: every call must go over vRPC.
  return new Numbers('127.0.0.1:1', credentials.createInsecure(), { interceptors: [createVrpcInterceptor(client)] });
}

function parentOf(name: string): string | undefined {
  return spans.getFinishedSpans().find((span) => span.name === name)?.parentSpanContext?.spanId;
}

describe('the interceptor traces the calls it routes', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
  });
  afterEach(async () => {
    await Promise.all(closing.splice(0).map((close) => close()));
    spans.reset();
  });
  afterAll(() => {
    trace.disable();
    propagation.disable();
    context.disable();
  });

  it('a unary call is a CLIENT span, child of the span active where the grpc-js call was made', async () => {
    const grpc = await grpcClient(false);
    const outer = trace.getTracer('spec').startSpan('outer');
    const reply = await context.with(
      trace.setSpan(context.active(), outer),
      () => new Promise((resolve, reject) => grpc.one({ value: 7 }, (error, value) => (error ? reject(error) : resolve(value)))),
    );
    outer.end();
    expect(reply).toEqual({ value: 7 });
    const call = spans.getFinishedSpans().find((span) => span.name === `${NUMBERS_SERVICE}/One`);
    expect(call?.kind).toBe(SpanKind.CLIENT);
    expect(parentOf(`${NUMBERS_SERVICE}/One`)).toBe(outer.spanContext().spanId);
  });

  it('a streaming call is one CLIENT span, child of the active span, ended with the stream', async () => {
    const grpc = await grpcClient(true);
    const outer = trace.getTracer('spec').startSpan('outer');
    await context.with(trace.setSpan(context.active(), outer), async () => {
      const stream = grpc.count({ upTo: 2 });
      await new Promise((resolve, reject) => {
        stream.on('data', () => undefined);
        stream.on('end', resolve);
        stream.on('error', reject);
      });
    });
    outer.end();
    const call = spans.getFinishedSpans().find((span) => span.name === `${NUMBERS_SERVICE}/Count`);
    expect(call?.attributes).toMatchObject({ 'vrpc.call.type': 'server_stream', 'rpc.response.status_code': 'OK' });
    expect(parentOf(`${NUMBERS_SERVICE}/Count`)).toBe(outer.spanContext().spanId);
  });
});
