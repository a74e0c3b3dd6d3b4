import { type Metadata, Server, ServerCredentials, status, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../bus/bus.interface.js';
import type { RequestEnvelope } from '../protocol/envelope.js';
import { OtelSdkFake } from '../serving/otel-sdk.fake.js';
import { VrpcTelemetry } from '../telemetry/vrpc-telemetry.js';
import { grpcForwardExecutor } from './grpc-forward.executor.js';
import { GrpcTargetPool } from './grpc-target-pool.js';

const identity = (bytes: Buffer): Buffer => bytes;
const CALLER_TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function envelope(method: string): RequestEnvelope {
  return {
    requestId: `fwd/${method}`,
    serviceName: 'spec.Target',
    methodName: method,
    payload: Buffer.from([1, 2, 3]),
    metadata: { traceparent: CALLER_TRACEPARENT, 'x-app': 'kept' },
    timestamp: Date.now(),
    timeoutMs: 5_000,
    clientId: 'c',
    replyTo: 'replies',
    deadline: Date.now() + 5_000,
    taskKey: '',
    attempt: 0,
    oneWay: false,
  };
}

describe("the gateway's forward: a CLIENT span whose context the target receives (real SDK, grpc-js in-process)", () => {
  let sdk: OtelSdkFake;
  const server = new Server();
  const received: Metadata[] = [];
  let pool: GrpcTargetPool;
  let address = '';

  beforeAll(async () => {
    sdk = new OtelSdkFake();
    const handler = (fails: boolean) => (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      received.push(call.metadata);
      if (fails) callback({ code: status.NOT_FOUND, details: 'no such thing' });
      else callback(null, call.request);
    };
    server.register('/spec.Target/Echo', handler(false), identity, identity, 'unary');
    server.register('/spec.Target/Missing', handler(true), identity, identity, 'unary');
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    address = `127.0.0.1:${port}`;
    pool = new GrpcTargetPool({ 'spec.Target': address });
  });

  afterAll(async () => {
    pool.close();
    server.forceShutdown();
    await sdk.shutdown();
  });

  /** Forwards under a SERVER span, as the dispatcher runs the gateway's executor. */
  async function forward(method: string) {
    const forwarder = grpcForwardExecutor(pool, new VrpcTelemetry('memory'));
    const reply = await trace.getTracer('spec').startActiveSpan('served', { kind: SpanKind.SERVER }, async (span) => {
      try {
        return await forwarder(envelope(method), {} as IncomingMessage, {});
      } finally {
        span.end();
      }
    });
    const served = sdk
      .spans()
      .filter((span) => span.name === 'served')
      .at(-1)!;
    const client = sdk
      .spans()
      .find((span) => span.kind === SpanKind.CLIENT && span.attributes['messaging.message.conversation_id'] === `fwd/${method}`)!;
    return { reply, served, client, metadata: received.at(-1)! };
  }

  it('sends the forward span as the parent, replacing the caller’s traceparent, and keeps other metadata', async () => {
    const { reply, served, client, metadata } = await forward('Echo');
    expect(reply.statusCode).toBe(status.OK);
    expect(client.name).toBe('spec.Target/Echo');
    expect(client.parentSpanContext?.spanId).toBe(served.spanContext().spanId);
    expect(client.attributes).toMatchObject({
      'server.address': address,
      'rpc.response.status_code': 'OK',
      'rpc.method': 'spec.Target/Echo',
    });
    const [traceparent] = metadata.get('traceparent');
    expect(traceparent).toBe(`00-${client.spanContext().traceId}-${client.spanContext().spanId}-01`);
    expect(metadata.get('traceparent')).toHaveLength(1);
    expect(metadata.get('x-app')).toEqual(['kept']);
  });

  it("ends the forward span with the target's status", async () => {
    const { reply, client } = await forward('Missing');
    expect(reply.statusCode).toBe(status.NOT_FOUND);
    expect(client.status.code).toBe(SpanStatusCode.ERROR);
    expect(client.attributes).toMatchObject({ 'rpc.response.status_code': 'NOT_FOUND', 'error.type': 'NOT_FOUND' });
  });
});
