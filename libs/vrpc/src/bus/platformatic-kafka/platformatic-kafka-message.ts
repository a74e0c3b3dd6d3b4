import type { Message } from '@platformatic/kafka';
import type { BusHeaders, IncomingMessage, OutgoingMessage } from '../bus.interface.js';
import { unreadableReason } from '../kafka-common/unreadable-batch.js';

/** A consumed message with string key and headers (the serde vRPC configures). */
export type StringKeyedMessage = Message<string | undefined, Buffer | undefined, string | undefined, string | undefined>;

/** Converts a consumed message to the bus' shape. */
export function toIncoming(message: StringKeyedMessage): IncomingMessage {
  const headers: BusHeaders = {};
  for (const [name, value] of message.headers) if (name !== undefined) headers[name] = value ?? '';
  const incoming: IncomingMessage = {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset.toString(),
    key: message.key ?? null,
    value: message.value ?? Buffer.alloc(0),
    headers,
  };
  const unreadable = unreadableReason(message.value ?? null);
  if (unreadable !== undefined) incoming.unreadable = unreadable;
  return incoming;
}

/** The message to produce for an outgoing bus message. */
export function toProduced(message: OutgoingMessage) {
  return {
    topic: message.topic,
    key: message.key,
    value: message.value,
    partition: message.partition,
    headers: new Map(Object.entries(message.headers ?? {})),
  };
}
