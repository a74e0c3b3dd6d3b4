import * as api from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OtelSdkFake } from '../serving/otel-sdk.fake.js';
import { NO_OBSERVATION } from './call-observation.js';
import { VrpcTelemetry } from './vrpc-telemetry.js';

const CALL = { service: 'pkg.Svc', method: 'Do', id: 'id-1' };
const SERVED = { ...CALL, topic: 'req', partition: 3, offset: '42', group: 'g', timestamp: Date.now() };

describe('VrpcTelemetry', () => {
  let sdk: OtelSdkFake;
  beforeEach(() => (sdk = new OtelSdkFake()));
  afterEach(() => sdk.shutdown());

  it('records nothing and writes no carrier without @opentelemetry/api', () => {
    const telemetry = new VrpcTelemetry('kafka', null);
    expect(telemetry.clientCall(CALL)).toBe(NO_OBSERVATION);
    expect(telemetry.serverCall(SERVED)).toBe(NO_OBSERVATION);
    expect(sdk.spans()).toHaveLength(0);
  });

  it('makes the server span a child of the carrier the client wrote, from metadata first, else from headers', () => {
    const telemetry = new VrpcTelemetry('kafka', api);
    const client = telemetry.clientCall(CALL);
    expect(client.carrier?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    telemetry.serverCall({ ...SERVED, metadata: client.carrier }).end(0);
    telemetry.serverCall({ ...SERVED, metadata: {}, headers: client.carrier }).end(0);
    client.end(0);
    const [fromMetadata, fromHeaders, clientSpan] = sdk.spans();
    expect(fromMetadata.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
    expect(fromHeaders.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
  });

  it('starts a new trace on a traceparent the propagator cannot read', () => {
    const telemetry = new VrpcTelemetry('kafka', api);
    telemetry.serverCall({ ...SERVED, metadata: { traceparent: 'zz-not-a-trace' } }).end(0);
    const [span] = sdk.spans();
    expect(span.parentSpanContext).toBeUndefined();
    expect(api.isSpanContextValid(span.spanContext())).toBe(true);
  });

  it('records the queue time only for a plausible timestamp', async () => {
    const telemetry = new VrpcTelemetry('kafka', api);
    telemetry.serverCall({ ...SERVED, timestamp: Date.now() - 50 }).end(0);
    telemetry.serverCall({ ...SERVED, timestamp: Date.now() + 60_000 }).end(0);
    telemetry.serverCall({ ...SERVED, timestamp: 0 }).end(0);
    expect(await sdk.recorded('vrpc.server.queue.duration')).toBe(1);
    const [span] = sdk.spans();
    expect(span.attributes['vrpc.queue.duration']).toBeGreaterThanOrEqual(0.05);
  });

  it('ends a call once: the first outcome counts', async () => {
    const telemetry = new VrpcTelemetry('kafka', api);
    const call = telemetry.clientCall(CALL);
    call.end(5);
    call.end(0);
    expect(await sdk.recorded('rpc.client.call.duration', { 'rpc.response.status_code': 'NOT_FOUND' })).toBe(1);
    expect(await sdk.recorded('rpc.client.call.duration', { 'rpc.response.status_code': 'OK' })).toBe(0);
    expect(await sdk.count('vrpc.client.calls.in_flight')).toBe(0);
    expect(sdk.spans()).toHaveLength(1);
  });

  it('keeps collecting lag when one source fails', async () => {
    const telemetry = new VrpcTelemetry('kafka', api);
    telemetry.metrics.observeLag(() => Promise.reject(new Error('broker down')));
    telemetry.metrics.observeLag(() => Promise.resolve([{ topic: 't', partition: 0, group: 'g', role: 'server' as const, lag: 7 }]));
    expect(await sdk.count('vrpc.consumer.lag', { 'messaging.destination.name': 't' })).toBe(7);
  });
});
