import type { OtelApi } from './otel-api.js';

/** Keys the W3C propagators write (trace context and baggage); the ones a carrier is read for. */
export const TRACE_KEYS = ['traceparent', 'tracestate', 'baggage'] as const;

/**
 * The trace context of `context` as text entries (`traceparent`, `tracestate`, `baggage`),
 * written by the globally registered propagator; undefined when it writes nothing (no SDK, no
 * propagator, no valid span).
 */
export function injectTrace(api: OtelApi, context: unknown): Record<string, string> | undefined {
  const carrier: Record<string, string> = {};
  api.propagation.inject(context as ReturnType<OtelApi['context']['active']>, carrier);
  for (const _key in carrier) return carrier;
  return undefined;
}

/**
 * The context a message's sender propagated: read from the envelope's metadata (covered by its
 * signature under `security`), else from the message's headers. Values the propagator cannot
 * parse give the root context: an unreadable `traceparent` starts a new trace, nothing more.
 */
export function extractTrace(
  api: OtelApi,
  metadata: Record<string, string> | undefined,
  headers: Record<string, string> | undefined,
): ReturnType<OtelApi['context']['active']> {
  const carrier = metadata?.traceparent !== undefined ? metadata : headers;
  if (carrier?.traceparent === undefined) return api.ROOT_CONTEXT;
  return api.propagation.extract(api.ROOT_CONTEXT, carrier);
}
