import type { JsMsg } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import type { BusHeaders, IncomingMessage, OutgoingMessage } from '../bus.interface.js';
import { VRPC_HEADERS } from '../../protocol/vrpc.constants.js';

/** Carries the message key: NATS messages have no key of their own. */
const KEY_HEADER = VRPC_HEADERS.busKey;

/** The NATS headers of an outgoing message (its headers plus its key). */
export function toNatsHeaders(message: OutgoingMessage, create: () => MsgHdrs): MsgHdrs | undefined {
  const entries = Object.entries(message.headers ?? {});
  if (entries.length === 0 && message.key === undefined) return undefined;
  const headers = create();
  for (const [name, value] of entries) headers.set(name, value);
  if (message.key !== undefined) headers.set(KEY_HEADER, message.key);
  return headers;
}

/** Converts a JetStream message to the bus' shape; the offset is the stream sequence. */
export function toIncoming(topic: string, partition: number, message: JsMsg): IncomingMessage {
  const headers: BusHeaders = {};
  let key: string | null = null;
  for (const name of message.headers?.keys() ?? []) {
    const value = message.headers?.get(name) ?? '';
    if (name === KEY_HEADER) key = value;
    else headers[name] = value;
  }
  const data = message.data;
  return {
    topic,
    partition,
    offset: String(message.seq),
    key,
    value: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    headers,
  };
}
