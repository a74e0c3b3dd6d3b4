import { performance } from 'node:perf_hooks';
import { context, metrics, propagation, ROOT_CONTEXT, type Span, SpanKind, trace } from '@opentelemetry/api';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { BENCH_PACKAGE, BENCH_SERVICE } from '../../paths.js';
import type { RawWire } from './raw-kafka.wire.js';

const METHOD = `${BENCH_PACKAGE}.${BENCH_SERVICE}/Echo`;
const DESTINATION = 'request';

/** What an instrumented call keeps between its request and its reply. */
interface OpenCall {
  span: Span;
  started: number;
}

const headerText = (headers: IHeaders | undefined) => {
  const text: Record<string, string> = {};
  for (const key in headers) text[key] = String(headers[key]);
  return text;
};

/**
 * `wire` with the least instrumentation that gives what vRPC's telemetry gives, written against
 * `@opentelemetry/api` by hand: a CLIENT span per call and a SERVER span per request (its child
 * through the `traceparent` header), a duration histogram on each side, the time in the topic
 * on the server. The floor of the cost of tracing and metrics, beside vRPC's.
 */
export function tracedWire(wire: RawWire, group: string): RawWire {
  const tracer = trace.getTracer('bench-raw-kafka');
  const meter = metrics.getMeter('bench-raw-kafka');
  const clientDuration = meter.createHistogram('rpc.client.call.duration', { unit: 's' });
  const serverDuration = meter.createHistogram('rpc.server.call.duration', { unit: 's' });
  const queueTime = meter.createHistogram('vrpc.server.queue.duration', { unit: 's' });
  const labels = { 'rpc.system.name': 'grpc', 'rpc.method': METHOD, 'messaging.system': 'kafka', 'rpc.response.status_code': 'OK' };
  const open = new Map<string, OpenCall>();
  const spanAttributes = (operation: string, id: string) => ({
    'rpc.system.name': 'grpc',
    'rpc.method': METHOD,
    'messaging.system': 'kafka',
    'messaging.operation.type': operation,
    'messaging.message.conversation_id': id,
    'messaging.destination.name': DESTINATION,
  });
  return {
    request(request) {
      const sent = wire.request(request);
      const parent = context.active();
      const span = tracer.startSpan(METHOD, { kind: SpanKind.CLIENT, attributes: spanAttributes('send', sent.id) }, parent);
      const headers: Record<string, string> = {};
      propagation.inject(trace.setSpan(parent, span), headers);
      open.set(sent.id, { span, started: performance.now() });
      return { id: sent.id, message: { ...sent.message, headers: { ...sent.message.headers, ...headers } } };
    },
    reply(message: KafkaMessage) {
      const started = performance.now();
      const parent = propagation.extract(ROOT_CONTEXT, headerText(message.headers));
      const attributes = spanAttributes('process', message.key?.toString() ?? '');
      const waited = (Date.now() - Number(message.timestamp)) / 1000;
      const served = {
        ...attributes,
        // reply() is not told the partition: a string of the same shape stands for it.
        'messaging.destination.partition.id': '0',
        'messaging.kafka.offset': Number(message.offset),
        'messaging.consumer.group.name': group,
        'vrpc.queue.duration': waited,
      };
      const span = tracer.startSpan(METHOD, { kind: SpanKind.SERVER, attributes: served }, parent);
      queueTime.record(waited, labels);
      const reply = context.with(trace.setSpan(parent, span), () => wire.reply(message));
      span.setAttribute('rpc.response.status_code', 'OK');
      serverDuration.record((performance.now() - started) / 1000, labels);
      span.end();
      return reply;
    },
    readReply(message) {
      const read = wire.readReply(message);
      const call = open.get(read.id);
      if (call) {
        open.delete(read.id);
        call.span.setAttribute('rpc.response.status_code', 'OK');
        clientDuration.record((performance.now() - call.started) / 1000, labels);
        call.span.end();
      }
      return read;
    },
  };
}
