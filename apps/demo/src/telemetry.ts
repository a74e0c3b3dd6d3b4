import { type Logger } from '@nestjs/common';
import { context, metrics, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, W3CTraceContextPropagator, type ExportResult } from '@opentelemetry/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Prints each finished span in one line: `name KIND trace=… parent=…`. */
class SpanLineExporter implements SpanExporter {
  constructor(private readonly logger: Logger) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const span of spans) {
      const { traceId, spanId } = span.spanContext();
      const parent = span.parentSpanContext?.spanId ?? '-';
      this.logger.log(`span ${span.name} ${SpanKind[span.kind]} trace=${traceId} span=${spanId} parent=${parent}`);
    }
    done({ code: ExportResultCode.SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface DemoTelemetry {
  /** Fetches the demo's own `/metrics` and logs its `rpc_*` and `vrpc_*` samples, buckets left out (what an operator scrapes). */
  printMetrics(): Promise<void>;
  /** Stops the Prometheus endpoint and the providers. */
  shutdown(): Promise<void>;
}

/**
 * Registers the OpenTelemetry SDK globally (before the app is created, so that vRPC's clients
 * and servers find it): W3C propagation, AsyncLocalStorage context, spans logged one per line,
 * metrics served for Prometheus on 127.0.0.1:`DEMO_METRICS_PORT` (default 9464).
 */
export function startTelemetry(logger: Logger): DemoTelemetry {
  const port = Number(process.env.DEMO_METRICS_PORT ?? 9464);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new SpanLineExporter(logger))] });
  trace.setGlobalTracerProvider(tracerProvider);
  const exporter = new PrometheusExporter({ host: '127.0.0.1', port });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  metrics.setGlobalMeterProvider(meterProvider);
  logger.log(`metrics for Prometheus at http://127.0.0.1:${port}/metrics`);
  return {
    async printMetrics() {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const samples = text.split('\n').filter((line) => /^(rpc|vrpc)_/.test(line) && !line.includes('_bucket{'));
      logger.log(`/metrics (rpc_*/vrpc_* samples, buckets left out):\n${samples.join('\n')}`);
    },
    async shutdown() {
      await meterProvider.shutdown(); // also stops the exporter's HTTP server
      await tracerProvider.shutdown();
      trace.disable();
      metrics.disable();
      propagation.disable();
      context.disable();
    },
  };
}
