import { VrpcConfigError } from '../errors/vrpc-config.error.js';
import { ConfigMessages } from '../errors/vrpc.messages.js';
import type { RequestEnvelope, ResponseEnvelope } from './envelope.js';
import { VRPC_HEADERS } from './vrpc.constants.js';

/**
 * Which headers vRPC writes beside the envelope (`client.headers`, `server.headers`). The
 * envelope carries everything either way; headers are for broker tools such as kcat.
 * - `minimal` (default): a request carries `vrpc-id`; a reply carries no header and is keyed by
 *   the call id. Each header costs the broker and the client library bytes and work on every
 *   message (docs/guide.md, "Message headers").
 * - `readable`: requests also carry `vrpc-service` and `vrpc-method`, replies `vrpc-id` and
 *   `vrpc-status`.
 */
export type VrpcHeaderSet = 'minimal' | 'readable';

export const DEFAULT_HEADER_SET: VrpcHeaderSet = 'minimal';

/** The header set `option` names (default `minimal`); anything else throws a `VrpcConfigError` naming the option. */
export function headerSet(value: unknown, option: string): VrpcHeaderSet {
  if (value === undefined) return DEFAULT_HEADER_SET;
  if (value === 'minimal' || value === 'readable') return value;
  throw new VrpcConfigError(option, ConfigMessages.unknownHeaderSet(typeof value === 'string' ? value : JSON.stringify(value)));
}

/** The headers of a request message. */
export function requestHeaders(envelope: RequestEnvelope, set: VrpcHeaderSet): Record<string, string> {
  if (set === 'minimal') return { [VRPC_HEADERS.id]: envelope.requestId };
  return {
    [VRPC_HEADERS.id]: envelope.requestId,
    [VRPC_HEADERS.service]: envelope.serviceName,
    [VRPC_HEADERS.method]: envelope.methodName,
  };
}

/** The key and headers of a reply message to `envelope`: keyed by the call id where it has no header naming it. */
export function replyLabels(
  envelope: RequestEnvelope,
  reply: ResponseEnvelope,
  set: VrpcHeaderSet,
): { key?: string; headers?: Record<string, string> } {
  if (set === 'minimal') return { key: envelope.requestId };
  return {
    key: envelope.replyPartition === undefined ? envelope.requestId : undefined,
    headers: { [VRPC_HEADERS.id]: envelope.requestId, [VRPC_HEADERS.status]: String(reply.statusCode) },
  };
}
