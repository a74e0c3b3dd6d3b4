import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { BusHeaders, IncomingMessage, OutgoingMessage } from '../bus.interface.js';
import { VRPC_HEADERS } from '../../protocol/vrpc.constants.js';
import { unreadableReason } from '../kafka-common/unreadable-batch.js';

function readHeaders(headers: IHeaders | undefined): BusHeaders {
  const result: BusHeaders = {};
  if (!headers) return result;
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = first.toString();
  }
  return result;
}

/**
 * True for a vRPC request keyed by its own correlation id (it has no task key): no other
 * message shares its key, so it needs no place in a queue of its key.
 */
export function keyedByOwnId(key: Buffer | string | null | undefined, headers: IHeaders | undefined): boolean {
  const id = headers?.[VRPC_HEADERS.id];
  if (key === null || key === undefined || id === undefined || Array.isArray(id)) return false;
  if (typeof key === 'string' || typeof id === 'string') return key.toString() === id.toString();
  return key.equals(id);
}

/** Converts a kafkajs message to the bus' shape. */
export function toIncoming(topic: string, partition: number, message: KafkaMessage): IncomingMessage {
  let headers: BusHeaders | undefined;
  const incoming: IncomingMessage = {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString() : null,
    value: message.value ?? Buffer.alloc(0),
    // Decoded on first use: servers and clients rarely read them, and every message would pay.
    get headers(): BusHeaders {
      return (headers ??= readHeaders(message.headers));
    },
    set headers(value: BusHeaders) {
      headers = value;
    },
  };
  const unreadable = unreadableReason(message.value);
  if (unreadable !== undefined) incoming.unreadable = unreadable;
  return incoming;
}

/** Groups outgoing messages by topic, in order, for one `sendBatch`. */
export function toTopicMessages(messages: OutgoingMessage[]) {
  const byTopic = new Map<string, { key?: string; value: Buffer; partition?: number; headers?: BusHeaders }[]>();
  for (const { topic, key, value, partition, headers } of messages) {
    // Named fields rather than an object rest (`{ topic, ...message }`): this is every message's path.
    const message = { key, value, partition, headers };
    const list = byTopic.get(topic);
    if (list) list.push(message);
    else byTopic.set(topic, [message]);
  }
  return [...byTopic].map(([topic, list]) => ({ topic, messages: list }));
}
