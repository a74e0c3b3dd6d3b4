import type { IncomingMessage, OutgoingMessage } from '../bus/bus.interface.js';
import { messageBytes } from '../bus/core/message-size.js';
import { VRPC_HEADERS } from '../protocol/vrpc.constants.js';

/** Most of a too-large message's value that its truncated dead letter keeps. */
const KEPT_VALUE_BYTES = 64 * 1024;
/** Most of the original headers (bytes) a truncated dead letter keeps; beyond, it keeps none. */
const KEPT_HEADER_BYTES = 16 * 1024;
const KEPT_KEY_CHARS = 1_024;
const REASON_CHARS = 1_024;

/** The dead letter of `message`: the message as it came, with the reason and its source in headers. */
export function deadLetterCopy(message: IncomingMessage, topic: string, reason: string, source: string): OutgoingMessage {
  return {
    topic,
    key: message.key ?? undefined,
    value: message.value,
    headers: { ...message.headers, [VRPC_HEADERS.deadReason]: reason.slice(0, REASON_CHARS), [VRPC_HEADERS.deadSource]: source },
  };
}

/**
 * A dead letter cut to fit a broker that refused the whole copy (`limit`: its max message
 * size, when known): the start of the value, the key and the original headers when small, and
 * headers saying it was cut, why, and how big the value was.
 */
export function truncatedCopy(copy: OutgoingMessage, why: string, limit?: number): OutgoingMessage {
  const headers = copy.headers ?? {};
  const small = messageBytes({ topic: copy.topic, value: Buffer.alloc(0), headers }) <= KEPT_HEADER_BYTES;
  const kept = small
    ? headers
    : {
        [VRPC_HEADERS.deadReason]: headers[VRPC_HEADERS.deadReason] ?? '',
        [VRPC_HEADERS.deadSource]: headers[VRPC_HEADERS.deadSource] ?? '',
      };
  const room = limit === undefined ? KEPT_VALUE_BYTES : Math.max(0, Math.min(KEPT_VALUE_BYTES, Math.floor(limit / 2)));
  return {
    topic: copy.topic,
    key: copy.key?.slice(0, KEPT_KEY_CHARS),
    value: copy.value.subarray(0, room),
    headers: {
      ...kept,
      [VRPC_HEADERS.deadTruncated]: why.slice(0, REASON_CHARS),
      [VRPC_HEADERS.deadOriginalBytes]: String(copy.value.length),
    },
  };
}
