import { performance } from 'node:perf_hooks';
import type { MetricAttributes, MetricInstruments } from './metric-instruments.js';
import type { OtelApi } from './otel-api.js';
import { ATTR } from './semconv.js';
import { isSpanError, statusName } from './status-names.js';

type Span = ReturnType<ReturnType<OtelApi['trace']['getTracer']>['startSpan']>;
type Context = ReturnType<OtelApi['context']['active']>;

/**
 * One call as seen from one side: its span (when tracing records), its duration and in-flight
 * count. `end` is idempotent: the first outcome counts.
 */
export interface CallObservation {
  /** The trace entries to send with the call (`traceparent`…), when there is a context to propagate. */
  readonly carrier: Record<string, string> | undefined;
  /** Runs `fn` with this call's span as the active one (so spans started inside are its children). */
  run<T>(fn: () => T): T;
  /** Adds attributes to the span (not to the metrics). */
  annotate(attributes: MetricAttributes): void;
  /** The trace id of the call's span, when one records (for log lines). */
  readonly traceId: string | undefined;
  end(code: number, message?: string): void;
}

/** An observation that records nothing (no `@opentelemetry/api`). */
export const NO_OBSERVATION: CallObservation = Object.freeze({
  carrier: undefined,
  traceId: undefined,
  run: <T>(fn: () => T): T => fn(),
  annotate: () => undefined,
  end: () => undefined,
});

/** What one side records per call. */
export interface ObservationParts {
  api: OtelApi;
  span: Span;
  context: Context;
  side: 'client' | 'server';
  instruments: MetricInstruments;
  /** Attributes of the duration and in-flight measurements (method, system). */
  metricAttributes: MetricAttributes;
  carrier: Record<string, string> | undefined;
}

/** Records one call of one side: opened with its span started and its in-flight count raised. */
export class RecordedCall implements CallObservation {
  private readonly started = performance.now();
  private ended = false;
  readonly carrier: Record<string, string> | undefined;

  constructor(private readonly parts: ObservationParts) {
    this.carrier = parts.carrier;
    this.inFlight().add(1, parts.metricAttributes);
  }

  get traceId(): string | undefined {
    const context = this.parts.span.spanContext();
    return this.parts.api.isSpanContextValid(context) ? context.traceId : undefined;
  }

  run<T>(fn: () => T): T {
    return this.parts.api.context.with(this.parts.context, fn);
  }

  annotate(attributes: MetricAttributes): void {
    this.parts.span.setAttributes(attributes);
  }

  end(code: number, message?: string): void {
    if (this.ended) return;
    this.ended = true;
    const { api, span, side, instruments, metricAttributes } = this.parts;
    const name = statusName(code);
    this.inFlight().add(-1, metricAttributes);
    const duration = side === 'client' ? instruments.clientDuration : instruments.serverDuration;
    duration.record((performance.now() - this.started) / 1000, outcomeAttributes(metricAttributes, code));
    if (span.isRecording()) {
      span.setAttribute(ATTR.rpcStatus, name);
      if (code !== 0) span.setAttribute(ATTR.errorType, name);
      if (isSpanError(side, code)) span.setStatus({ code: api.SpanStatusCode.ERROR, message });
    }
    span.end();
  }

  private inFlight() {
    return this.parts.side === 'client' ? this.parts.instruments.clientInFlight : this.parts.instruments.serverInFlight;
  }
}

/** Status codes a metric label may name; any other (a reply may carry any number) is `_OTHER`. */
const MAX_CODE = 16;
const outcomes = new WeakMap<MetricAttributes, MetricAttributes[]>();

/** The attributes of a call's duration: its method's plus its status (one object per method and code, made once). */
function outcomeAttributes(base: MetricAttributes, code: number): MetricAttributes {
  const index = Number.isInteger(code) && code >= 0 && code <= MAX_CODE ? code : MAX_CODE + 1;
  let byCode = outcomes.get(base);
  if (!byCode) outcomes.set(base, (byCode = []));
  let attributes = byCode[index];
  if (!attributes) {
    const name = index > MAX_CODE ? '_OTHER' : statusName(code);
    attributes = { ...base, [ATTR.rpcStatus]: name };
    if (code !== 0) attributes[ATTR.errorType] = name;
    byCode[index] = attributes;
  }
  return attributes;
}
