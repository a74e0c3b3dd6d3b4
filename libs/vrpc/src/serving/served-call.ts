import type { IncomingMessage } from '../bus/bus.interface.js';
import type { RequestEnvelope } from '../protocol/envelope.js';
import type { MetricAttributes } from '../telemetry/metric-instruments.js';
import { ATTR } from '../telemetry/semconv.js';
import type { ServerCallInfo } from '../telemetry/vrpc-telemetry.js';

/** `vrpc.call.type` of a streaming opening, by its wire call type. */
const CALL_TYPES: Record<number, string | undefined> = { 1: 'server_stream', 2: 'client_stream', 3: 'bidi' };

/** What the SERVER span of a request taken from the bus is made of: the envelope, where it was read, by which group. */
export function servedCallInfo(envelope: RequestEnvelope, message: IncomingMessage, group: string | undefined): ServerCallInfo {
  return {
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
export function methodAttributes(envelope: RequestEnvelope, system: string): MetricAttributes {
  return { [ATTR.rpcMethod]: `${envelope.serviceName}/${envelope.methodName}`, [ATTR.messagingSystem]: system };
}
