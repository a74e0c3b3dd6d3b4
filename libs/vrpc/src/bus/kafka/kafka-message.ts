import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { BusHeaders, IncomingMessage, OutgoingMessage } from '../bus.interface.js';

function readHeaders(headers: IHeaders | undefined): BusHeaders {
  const result: BusHeaders = {};
  if (!headers) return result;
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = first.toString();
  }
  return result;
}

/** Converts a kafkajs message to the bus' shape. */
export function toIncoming(topic: string, partition: number, message: KafkaMessage): IncomingMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString() : null,
    value: message.value ?? Buffer.alloc(0),
    headers: readHeaders(message.headers),
  };
}

/** Groups outgoing messages by topic, in order, for one `sendBatch`. */
export function toTopicMessages(messages: OutgoingMessage[]) {
  const byTopic = new Map<string, { key?: string; value: Buffer; partition?: number; headers?: BusHeaders }[]>();
  for (const { topic, ...message } of messages) {
    const list = byTopic.get(topic) ?? [];
    list.push(message);
    byTopic.set(topic, list);
  }
  return [...byTopic].map(([topic, list]) => ({ topic, messages: list }));
}
