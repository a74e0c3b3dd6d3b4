import type { IncomingMessage } from '../bus/bus.interface.js';
import type { RequestEnvelope } from '../protocol/envelope.js';
import type { MetricAttributes } from '../telemetry/metric-instruments.js';
import { ATTR } from '../telemetry/semconv.js';
import type { ServerCallInfo } from '../telemetry/vrpc-telemetry.js';

/** `vrpc.call.type` of a streaming opening, by its wire call type. */
const CALL_TYPES: Record<number, string | undefined> = { 1: 'server_stream', 2: 'client_stream', 3: 'bidi' };

/** Distinct methods of the served services that get a label of their own; the rest count as `_OTHER`. */
const MAX_METHOD_LABELS = 256;
/** The RPC conventions' `rpc.method` for a method that is not known. */
export const OTHER_METHOD = '_OTHER';

/**
 * The `rpc.method` label of requests read from the bus. Their names are whatever the sender
 * wrote, so a label is only given to a served service's methods, and to `MAX_METHOD_LABELS` of
 * them at most: a stream of made-up names cannot grow the metrics without bound.
 */
export class MethodLabels {
  private readonly known = new Set<string>();

  constructor(private readonly services: ReadonlySet<string> | undefined) {}

  label(envelope: RequestEnvelope): string {
    if (this.services && !this.services.has(envelope.serviceName)) return OTHER_METHOD;
    const method = `${envelope.serviceName}/${envelope.methodName}`;
    if (this.known.has(method)) return method;
    if (this.known.size >= MAX_METHOD_LABELS) return OTHER_METHOD;
    this.known.add(method);
    return method;
  }
}

/** What the SERVER span of a request taken from the bus is made of: the envelope, where it was read, by which group. */
export function servedCallInfo(
  envelope: RequestEnvelope,
  message: IncomingMessage,
  group: string | undefined,
  methodLabel: string,
): ServerCallInfo {
  return {
    methodLabel,
    service: envelope.serviceName,
    method: envelope.methodName,
    id: envelope.requestId,
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    group,
    timestamp: envelope.timestamp,
    metadata: envelope.metadata,
    headers: message.headers,
    callType: envelope.stream ? CALL_TYPES[envelope.stream.callType ?? 3] : undefined,
  };
}

/** The labels of a per-method counter (duplicates, expired): never an id. */
export function methodAttributes(methodLabel: string, system: string): MetricAttributes {
  return { [ATTR.rpcMethod]: methodLabel, [ATTR.messagingSystem]: system };
}
