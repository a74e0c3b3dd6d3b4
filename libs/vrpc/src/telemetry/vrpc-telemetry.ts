import { otelApi, type OtelApi } from './otel-api.js';
import { MetricInstruments, type MetricAttributes } from './metric-instruments.js';
import { type CallObservation, NO_OBSERVATION, RecordedCall } from './call-observation.js';
import { extractTrace, injectTrace } from './trace-carrier.js';
import { ATTR, RPC_SYSTEM, SCOPE } from './semconv.js';

/** The version written as the instrumentation scope's. */
const SCOPE_VERSION = '0.1.0';
/** Methods that get metric attributes of their own; any beyond are `_OTHER` (as the RPC conventions name an unknown method). */
const MAX_METHODS = 1_024;
const OTHER = '_OTHER';
/** Longest wait on the bus that is believed (a sender's clock or timestamp can be anything). */
const MAX_QUEUE_MS = 24 * 3_600_000;

/** A call a client makes (a `VrpcClient` call, the interceptor's, the gateway's forward). */
export interface ClientCallInfo {
  /** `package.Service`. */
  service: string;
  method: string;
  /** The call id: the conversation id. */
  id: string;
  /** The request topic, when known. */
  destination?: string;
  /** A streaming call's type (`server_stream`, `client_stream`, `bidi`); unary calls have none. */
  callType?: string;
}

/** A request a server takes from the bus. */
export interface ServerCallInfo {
  service: string;
  method: string;
  id: string;
  topic: string;
  partition: number;
  offset: string;
  /** The consumer group that took it. */
  group?: string;
  /** When the caller made it (ms since the epoch; 0: unknown). */
  timestamp: number;
  /** The envelope's metadata and the message's headers: where the caller's trace context is read from. */
  metadata?: Record<string, string>;
  headers?: Record<string, string>;
  callType?: string;
  /**
   * `rpc.method` of the metrics, when the names came from a message and may not be trusted as
   * a label (cardinality): a served method's name, or `_OTHER`. Default: `service/method`.
   */
  methodLabel?: string;
}

/**
 * Traces and metrics of one client, server or gateway, through `@opentelemetry/api` (an optional
 * peer: without it every call gets `NO_OBSERVATION`, and without an SDK the API's no-ops).
 * Spans follow the RPC and messaging conventions: docs/observability.md.
 */
export class VrpcTelemetry {
  readonly metrics: MetricInstruments;
  private readonly tracer: ReturnType<OtelApi['trace']['getTracer']> | undefined;

  /** @param system `messaging.system`: `kafka`, `nats`, `rabbitmq`, `memory`, or a plugin's own. */
  private readonly api: OtelApi | undefined;
  private readonly byMethod = new Map<string, MetricAttributes>();

  /** @param api the API to use (default: the installed one); `null`, none: every call gets `NO_OBSERVATION`. */
  constructor(
    readonly system: string,
    api: OtelApi | null = otelApi() ?? null,
  ) {
    this.api = api ?? undefined;
    this.metrics = new MetricInstruments(this.api, SCOPE_VERSION);
    this.tracer = this.api?.trace.getTracer(SCOPE, SCOPE_VERSION);
  }

  /** A call made now, a child of the active span; its `carrier` goes with the request. */
  clientCall(info: ClientCallInfo): CallObservation {
    const { api, tracer } = this;
    if (!api || !tracer) return NO_OBSERVATION;
    const rpcMethod = `${info.service}/${info.method}`;
    const attributes = this.spanAttributes(rpcMethod, 'send', info);
    if (info.destination) attributes[ATTR.destination] = info.destination;
    const parent = api.context.active();
    const span = tracer.startSpan(rpcMethod, { kind: api.SpanKind.CLIENT, attributes }, parent);
    const context = api.trace.setSpan(parent, span);
    return new RecordedCall({
      api,
      span,
      context,
      side: 'client',
      instruments: this.metrics,
      metricAttributes: this.metricAttributes(rpcMethod),
      carrier: injectTrace(api, context),
    });
  }

  /** A request taken from the bus, a child of the span its caller propagated; its wait on the bus recorded. */
  serverCall(info: ServerCallInfo): CallObservation {
    const { api, tracer } = this;
    if (!api || !tracer) return NO_OBSERVATION;
    const rpcMethod = `${info.service}/${info.method}`;
    const attributes = this.spanAttributes(rpcMethod, 'process', info);
    attributes[ATTR.destination] = info.topic;
    attributes[ATTR.partition] = String(info.partition);
    if (this.system === 'kafka') attributes[ATTR.kafkaOffset] = Number(info.offset);
    if (info.group) attributes[ATTR.consumerGroup] = info.group;
    const waited = Date.now() - info.timestamp;
    const metricAttributes = this.metricAttributes(info.methodLabel ?? rpcMethod);
    if (info.timestamp > 0 && waited >= 0 && waited <= MAX_QUEUE_MS) {
      attributes[ATTR.queueTime] = waited / 1000;
      this.metrics.queueTime.record(waited / 1000, metricAttributes);
    }
    const parent = extractTrace(api, info.metadata, info.headers);
    const span = tracer.startSpan(rpcMethod, { kind: api.SpanKind.SERVER, attributes }, parent);
    const context = api.trace.setSpan(parent, span);
    return new RecordedCall({ api, span, context, side: 'server', instruments: this.metrics, metricAttributes, carrier: undefined });
  }

  /** The trace id of the active span, when one records: for log lines about a call. */
  activeTraceId(): string | undefined {
    const span = this.api?.trace.getActiveSpan();
    const context = span?.spanContext();
    return context && this.api?.isSpanContextValid(context) ? context.traceId : undefined;
  }

  /** The span attributes both sides write: the RPC's, the messaging system and operation, the conversation (call id). */
  private spanAttributes(rpcMethod: string, operation: 'send' | 'process', info: { id: string; callType?: string }): MetricAttributes {
    const attributes: MetricAttributes = {
      [ATTR.rpcSystem]: RPC_SYSTEM,
      [ATTR.rpcMethod]: rpcMethod,
      [ATTR.messagingSystem]: this.system,
      [ATTR.operationType]: operation,
      [ATTR.conversationId]: info.id,
    };
    if (info.callType) attributes[ATTR.callType] = info.callType;
    return attributes;
  }

  /** One attributes object per method (the in-flight tally keys on it), bounded: past the bound, `_OTHER`'s. */
  private metricAttributes(rpcMethod: string): MetricAttributes {
    let attributes = this.byMethod.get(rpcMethod);
    if (!attributes) {
      const label = this.byMethod.size < MAX_METHODS ? rpcMethod : OTHER;
      attributes = this.byMethod.get(label) ?? {
        [ATTR.rpcSystem]: RPC_SYSTEM,
        [ATTR.rpcMethod]: label,
        [ATTR.messagingSystem]: this.system,
      };
      this.byMethod.set(label, attributes);
    }
    return attributes;
  }
}
