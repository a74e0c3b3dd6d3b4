import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Takes every batch and drops it: the SDK does all its work, nothing leaves the process. */
const noSpans: SpanExporter = {
  export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: () => Promise.resolve(),
};
const noMetrics: PushMetricExporter = {
  export: (_metrics, done) => done({ code: ExportResultCode.SUCCESS }),
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

let registered = false;

/**
 * The OpenTelemetry SDK as a production app registers it, exporting to nowhere: every span
 * sampled and batched, metrics read every 5 s. Once per process, before its Nest app is made.
 * `VRPC_BENCH_OTEL_CONTEXT=none` leaves the context manager out, to tell its cost from the spans' and metrics'.
 */
export function registerBenchSdk(): void {
  if (registered) return;
  registered = true;
  if (process.env.VRPC_BENCH_OTEL_CONTEXT !== 'none') context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [new BatchSpanProcessor(noSpans)] }),
  );
  metrics.setGlobalMeterProvider(
    new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: noMetrics, exportIntervalMillis: 5_000 })] }),
  );
}
