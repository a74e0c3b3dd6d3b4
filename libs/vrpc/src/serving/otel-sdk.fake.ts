import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { type DataPoint, type Histogram, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** A pull reader: metrics are read when a spec collects them. */
class PullReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** The real OpenTelemetry SDK registered globally, in-process, with in-memory exporters (for specs). */
export class OtelSdkFake {
  readonly exporter = new InMemorySpanExporter();
  private readonly reader = new PullReader();
  private readonly tracers = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(this.exporter)] });
  private readonly meters = new MeterProvider({ readers: [this.reader] });

  constructor() {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(this.tracers);
    metrics.setGlobalMeterProvider(this.meters);
  }

  /** The spans ended so far. */
  spans(): ReadableSpan[] {
    return this.exporter.getFinishedSpans();
  }

  /** The points of metric `name` collected now (empty when it has none). */
  async points<T = number>(name: string): Promise<DataPoint<T>[]> {
    const { resourceMetrics } = await this.reader.collect();
    const found = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((metric) => metric.descriptor.name === name);
    return (found?.dataPoints ?? []) as DataPoint<T>[];
  }

  /** The sum of a counter's points whose attributes include `attributes`. */
  async count(name: string, attributes: Record<string, unknown> = {}): Promise<number> {
    const points = await this.points(name);
    return points.filter((point) => matches(point.attributes, attributes)).reduce((total, point) => total + point.value, 0);
  }

  /** The number of values a histogram recorded with attributes including `attributes`. */
  async recorded(name: string, attributes: Record<string, unknown> = {}): Promise<number> {
    const points = await this.points<Histogram>(name);
    return points.filter((point) => matches(point.attributes, attributes)).reduce((total, point) => total + point.value.count, 0);
  }

  /** Unregisters everything (call after the spec). */
  async shutdown(): Promise<void> {
    await this.tracers.shutdown();
    await this.meters.shutdown();
    trace.disable();
    metrics.disable();
    propagation.disable();
    context.disable();
  }
}

function matches(actual: Record<string, unknown>, wanted: Record<string, unknown>): boolean {
  return Object.entries(wanted).every(([key, value]) => actual[key] === value);
}
