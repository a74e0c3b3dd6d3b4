// The real OpenTelemetry SDK, registered globally in a test process: spans kept in memory,
// metrics collected on demand. Both in the shapes the tests compare (plain JSON, for IPC).
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** A finished span, as the tests read it. */
export interface SpanRecord {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
}

/** One data point of one metric: a number (counters, gauges) or a histogram's count and sum. */
export interface MetricPoint {
  name: string;
  attributes: Record<string, unknown>;
  value: number;
  count?: number;
}

/** A reader that collects only when asked. */
class OnDemandReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface TestSdk {
  spans(): SpanRecord[];
  metrics(): Promise<MetricPoint[]>;
  shutdown(): Promise<void>;
}

/** Registers tracing (W3C trace context + baggage, AsyncLocalStorage) and metrics globally: call before creating any Nest app. */
export function registerTestSdk(): TestSdk {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(tracerProvider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  const reader = new OnDemandReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    spans: () =>
      exporter.getFinishedSpans().map((span) => ({
        name: span.name,
        kind: span.kind,
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        parentSpanId: span.parentSpanContext?.spanId,
        attributes: { ...span.attributes },
        status: { code: span.status.code, message: span.status.message },
      })),
    metrics: async () => {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics.scopeMetrics.flatMap((scope) =>
        scope.metrics.flatMap((metric) =>
          (metric.dataPoints as Array<{ attributes: Record<string, unknown>; value: unknown }>).map((point) => {
            const value = point.value as number | { count: number; sum?: number };
            return typeof value === 'number'
              ? { name: metric.descriptor.name, attributes: point.attributes, value }
              : { name: metric.descriptor.name, attributes: point.attributes, value: value.sum ?? 0, count: value.count };
          }),
        ),
      );
    },
    shutdown: async () => {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

/** Answers the test's requests over IPC: `{ id, command, args }` → `{ id, result }` or `{ id, error }`. */
export function serveIpc(handlers: Record<string, (args: never) => unknown>): void {
  process.on('message', (message: { id: number; command: string; args: unknown }) => {
    const handler = handlers[message.command];
    Promise.resolve()
      .then(() => (handler ? handler(message.args as never) : Promise.reject(new Error(`no command ${message.command}`))))
      .then(
        (result) => process.send?.({ id: message.id, result }),
        (error: unknown) => process.send?.({ id: message.id, error: String(error) }),
      );
  });
  process.send?.({ ready: true });
}
