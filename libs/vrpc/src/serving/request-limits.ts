import type { RequestEnvelope } from '../protocol/envelope.js';
import type { VrpcRequestLimits } from './serving-options.interface.js';

/** The limits a server applies when its options leave them out. */
export const DEFAULT_REQUEST_LIMITS: Readonly<Required<VrpcRequestLimits>> = {
  requestId: 256,
  name: 256,
  taskKey: 1024,
  clientId: 256,
  replyTo: 256,
  metadataEntries: 64,
  metadataBytes: 16 * 1024,
};

/** A field of a request over its limit. */
export interface Exceeded {
  /** The field as the envelope names it (`request_id`, `metadata`, …). */
  field: string;
  limit: number;
  unit: 'characters' | 'entries' | 'bytes';
}

/** The limits given, over the defaults. */
export function requestLimits(given: VrpcRequestLimits = {}): Required<VrpcRequestLimits> {
  const limits = { ...DEFAULT_REQUEST_LIMITS };
  for (const name of Object.keys(limits) as (keyof VrpcRequestLimits)[]) {
    const value = given[name];
    if (value !== undefined) limits[name] = value;
  }
  return limits;
}

/**
 * The first field of `envelope` over its limit, or null when every field is within: checked
 * right after decoding, before anything of the request is kept or logged.
 */
export function exceededLimit(envelope: RequestEnvelope, limits: Required<VrpcRequestLimits>): Exceeded | null {
  if (envelope.requestId.length > limits.requestId) return chars('request_id', limits.requestId);
  if (envelope.replyTo.length > limits.replyTo) return chars('reply_to', limits.replyTo);
  if (envelope.serviceName.length > limits.name) return chars('service_name', limits.name);
  if (envelope.methodName.length > limits.name) return chars('method_name', limits.name);
  if (envelope.taskKey.length > limits.taskKey) return chars('task_key', limits.taskKey);
  if (envelope.clientId.length > limits.clientId) return chars('client_id', limits.clientId);
  let entries = 0;
  let bytes = 0;
  for (const key in envelope.metadata) {
    if (++entries > limits.metadataEntries) return { field: 'metadata', limit: limits.metadataEntries, unit: 'entries' };
    bytes += Buffer.byteLength(key) + Buffer.byteLength(envelope.metadata[key]);
    if (bytes > limits.metadataBytes) return { field: 'metadata', limit: limits.metadataBytes, unit: 'bytes' };
  }
  // The entries (repeated and binary values) are counted on their own: a reader prefers them to the map.
  entries = 0;
  bytes = 0;
  for (const entry of envelope.metadataEntries ?? []) {
    const values = [...(entry.values ?? []), ...(entry.binaryValues ?? [])];
    entries += Math.max(1, values.length);
    if (entries > limits.metadataEntries) return { field: 'metadata', limit: limits.metadataEntries, unit: 'entries' };
    bytes +=
      Buffer.byteLength(entry.key) +
      values.reduce((sum, value) => sum + (typeof value === 'string' ? Buffer.byteLength(value) : value.length), 0);
    if (bytes > limits.metadataBytes) return { field: 'metadata', limit: limits.metadataBytes, unit: 'bytes' };
  }
  return null;
}

function chars(field: string, limit: number): Exceeded {
  return { field, limit, unit: 'characters' };
}
