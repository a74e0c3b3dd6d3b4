// Issue 16's acceptance for traces and metrics: the real OpenTelemetry SDK registered in a
// caller process, a server process and a gateway process, one real broker between them.
import { status } from '@grpc/grpc-js';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedOptions } from '../support/echo-app.js';
import { startIpcProcess, type IpcProcess } from '../support/ipc-process.js';
import { testBrokers, waitFor } from '../support/kafka.js';
import type { MetricPoint, SpanRecord } from '../support/otel-sdk.js';

const CLIENT = 2;
const SERVER = 1;
const METHOD = 'vrpc.echo.EchoService/Echo';

interface CallResult {
  code: number;
  traceId: string;
  rootSpanId: string;
}

const processUrl = (name: string) => new URL(`../processes/${name}.ts`, import.meta.url);
const strip = ({ protos: _protos, ...rest }: ReturnType<typeof isolatedOptions>) => rest;

function only(spans: SpanRecord[], filter: (span: SpanRecord) => boolean, what: string): SpanRecord {
  const found = spans.filter(filter);
  expect(found, `${what}: ${JSON.stringify(spans.map((s) => [s.name, s.kind, s.traceId]))}`).toHaveLength(1);
  return found[0];
}

function histogramCount(points: MetricPoint[], name: string, code: string): number {
  return points
    .filter((p) => p.name === name && p.attributes['rpc.method'] === METHOD && p.attributes['rpc.response.status_code'] === code)
    .reduce((sum, p) => sum + (p.count ?? 0), 0);
}

describe('observability across processes and the broker (real OpenTelemetry SDK)', () => {
  const options = isolatedOptions({ server: { concurrency: 8 } });
  const gatewayOptions = isolatedOptions();
  let server: IpcProcess;
  let caller: IpcProcess;
  let gateway: IpcProcess;

  beforeAll(async () => {
    const env = {
      VRPC_TEST_OPTIONS: JSON.stringify(strip(options)),
      VRPC_TEST_GATEWAY_OPTIONS: JSON.stringify(strip(gatewayOptions)),
    };
    [server, gateway] = await Promise.all([
      startIpcProcess(processUrl('otel-echo-server'), env),
      startIpcProcess(processUrl('otel-gateway'), env),
    ]);
    caller = await startIpcProcess(processUrl('otel-caller'), env);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([caller?.stop(), server?.stop(), gateway?.stop()]);
  }, 60_000);

  const call = (args: object) => caller.request<CallResult>('call', args, 30_000);
  async function spansOf(owner: IpcProcess, traceId: string, count: number): Promise<SpanRecord[]> {
    let spans: SpanRecord[] = [];
    await waitFor(async () => {
      spans = (await owner.request<SpanRecord[]>('spans')).filter((span) => span.traceId === traceId);
      return spans.length >= count;
    }, 10_000);
    return spans;
  }

  it('gives one call one trace: the server span is a child of the client span, with the attributes of the conventions', async () => {
    const result = await call({ text: 'traced', via: 'client', scope: 'server' });
    expect(result.code).toBe(0);
    const clientSpans = await spansOf(caller, result.traceId, 2);
    const serverSpans = await spansOf(server, result.traceId, 2);
    const clientSpan = only(clientSpans, (s) => s.kind === CLIENT, 'client span');
    const serverSpan = only(serverSpans, (s) => s.kind === SERVER, 'server span');
    const handlerSpan = only(serverSpans, (s) => s.name === 'handler-work', 'handler span');
    expect(clientSpan.parentSpanId).toBe(result.rootSpanId);
    expect(serverSpan.parentSpanId).toBe(clientSpan.spanId);
    expect(handlerSpan.parentSpanId).toBe(serverSpan.spanId);
    expect(clientSpan.name).toBe(METHOD);
    expect(serverSpan.name).toBe(METHOD);
    const topic = `${options.topics!.requestPrefix}vrpc.echo.EchoService`;
    expect(clientSpan.attributes).toMatchObject({
      'rpc.system.name': 'grpc',
      'rpc.method': METHOD,
      'rpc.response.status_code': 'OK',
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.destination.name': topic,
      'vrpc.path': 'bus',
    });
    expect(serverSpan.attributes).toMatchObject({
      'rpc.system.name': 'grpc',
      'rpc.method': METHOD,
      'rpc.response.status_code': 'OK',
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': topic,
    });
    expect(typeof serverSpan.attributes['messaging.consumer.group.name']).toBe('string');
    expect(typeof serverSpan.attributes['messaging.destination.partition.id']).toBe('string');
    expect(typeof serverSpan.attributes['messaging.kafka.offset']).toBe('number');
    const conversation = clientSpan.attributes['messaging.message.conversation_id'];
    expect(conversation).toEqual(expect.any(String));
    expect(serverSpan.attributes['messaging.message.conversation_id']).toBe(conversation);
    expect(serverSpan.attributes['vrpc.queue.duration']).toBeGreaterThanOrEqual(0);
    expect(clientSpan.status.code).toBe(0);
  });

  it('marks both spans of a failing call with its code', async () => {
    for (const code of [status.NOT_FOUND, status.INTERNAL]) {
      const result = await call({ text: 'fails', failCode: code, via: 'client', scope: 'server' });
      expect(result.code).toBe(code);
      const clientSpan = only(await spansOf(caller, result.traceId, 2), (s) => s.kind === CLIENT, 'client span');
      const serverSpan = only(await spansOf(server, result.traceId, 2), (s) => s.kind === SERVER, 'server span');
      const name = status[code];
      for (const span of [clientSpan, serverSpan]) {
        expect(span.attributes['rpc.response.status_code']).toBe(name);
        expect(span.attributes['error.type']).toBe(name);
      }
      expect(clientSpan.status.code).toBe(2);
      // The conventions: NOT_FOUND is the caller's error, not the server's; INTERNAL is the server's.
      expect(serverSpan.status.code).toBe(code === status.INTERNAL ? 2 : 0);
    }
  });

  it('traces the interceptor path: the routed call is a child of the span active where the grpc-js call was made', async () => {
    const result = await call({ text: 'intercepted', via: 'interceptor', scope: 'server' });
    expect(result.code).toBe(0);
    const clientSpan = only(await spansOf(caller, result.traceId, 2), (s) => s.kind === CLIENT, 'client span');
    const serverSpan = only(await spansOf(server, result.traceId, 2), (s) => s.kind === SERVER, 'server span');
    expect(clientSpan.parentSpanId).toBe(result.rootSpanId);
    expect(serverSpan.parentSpanId).toBe(clientSpan.spanId);
  });

  it('traces the gateway path: caller CLIENT → gateway SERVER → gateway CLIENT → the target receives that span in traceparent', async () => {
    const result = await call({ text: 'via-gateway', via: 'client', scope: 'gateway' });
    expect(result.code).toBe(0);
    const clientSpan = only(await spansOf(caller, result.traceId, 2), (s) => s.kind === CLIENT, 'client span');
    const gatewaySpans = await spansOf(gateway, result.traceId, 2);
    const served = only(gatewaySpans, (s) => s.kind === SERVER, 'gateway server span');
    const forward = only(gatewaySpans, (s) => s.kind === CLIENT, 'gateway client span');
    expect(served.parentSpanId).toBe(clientSpan.spanId);
    expect(forward.parentSpanId).toBe(served.spanId);
    expect(forward.name).toBe(METHOD);
    const traceparents = await gateway.request<string[]>('traceparents');
    expect(traceparents).toContain(`00-${result.traceId}-${forward.spanId}-01`);
  });

  it('counts calls by status in both duration histograms', async () => {
    const before = { caller: await caller.request<MetricPoint[]>('metrics'), server: await server.request<MetricPoint[]>('metrics') };
    const calls = [
      ...Array.from({ length: 20 }, (_, i) => ({ text: `ok-${i}`, via: 'client', scope: 'server' })),
      ...Array.from({ length: 5 }, (_, i) => ({ text: `nf-${i}`, failCode: status.NOT_FOUND, via: 'client', scope: 'server' })),
    ];
    const results = await Promise.all(calls.map((args) => call(args)));
    expect(results.filter((r) => r.code === 0)).toHaveLength(20);
    const after = { caller: await caller.request<MetricPoint[]>('metrics'), server: await server.request<MetricPoint[]>('metrics') };
    for (const [side, name] of [
      ['caller', 'rpc.client.call.duration'],
      ['server', 'rpc.server.call.duration'],
    ] as const) {
      expect(histogramCount(after[side], name, 'OK') - histogramCount(before[side], name, 'OK'), `${name} OK`).toBe(20);
      expect(histogramCount(after[side], name, 'NOT_FOUND') - histogramCount(before[side], name, 'NOT_FOUND'), `${name} NOT_FOUND`).toBe(5);
    }
    const inFlight = (points: MetricPoint[], name: string) =>
      points.filter((p) => p.name === name && p.attributes['rpc.method'] === METHOD).reduce((sum, p) => sum + p.value, 0);
    expect(inFlight(after.caller, 'vrpc.client.calls.in_flight')).toBe(0);
    expect(inFlight(after.server, 'vrpc.server.calls.in_flight')).toBe(0);
    expect(after.server.some((p) => p.name === 'vrpc.server.queue.duration' && (p.count ?? 0) >= 25)).toBe(true);
  });

  it('shows the lag of the request topic rising while the handlers are held, and back to 0 after', async () => {
    const lag = async () =>
      (await server.request<MetricPoint[]>('metrics'))
        .filter((p) => p.name === 'vrpc.consumer.lag' && p.attributes['vrpc.role'] === 'server')
        .reduce((sum, p) => sum + p.value, 0);
    await waitFor(async () => (await lag()) === 0, 15_000);
    await server.request('hold');
    const held = Array.from({ length: 12 }, (_, i) => call({ text: `held-${i}`, via: 'client', scope: 'server' }));
    let peak = 0;
    await waitFor(async () => {
      peak = await lag();
      return peak >= 12;
    }, 15_000);
    await server.request('release');
    const results = await Promise.all(held);
    expect(results.every((r) => r.code === 0)).toBe(true);
    await waitFor(async () => (await lag()) === 0, 20_000);
    console.log(`[figure] lag of the request topic while 12 calls were held: ${peak}; back to 0 after release`);
  });

  it('counts a poison request in the dead letters', async () => {
    const deadLetters = async () =>
      (await server.request<MetricPoint[]>('metrics'))
        .filter((p) => p.name === 'vrpc.server.dead_letters')
        .reduce((sum, p) => sum + p.value, 0);
    const before = await deadLetters();
    const kafka = new Kafka({ clientId: 'poison', brokers: testBrokers(), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: `${options.topics!.requestPrefix}vrpc.echo.EchoService`,
      messages: [{ value: Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02]) }],
    });
    await producer.disconnect();
    await waitFor(async () => (await deadLetters()) === before + 1, 15_000);
    const points = (await server.request<MetricPoint[]>('metrics')).filter((p) => p.name === 'vrpc.server.dead_letters');
    expect(points.some((p) => p.attributes['vrpc.reason'] === 'undecodable')).toBe(true);
  });
});
