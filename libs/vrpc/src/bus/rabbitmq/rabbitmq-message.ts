import type { ConsumeMessage } from 'amqplib';
import type { BusHeaders, IncomingMessage } from '../bus.interface.js';
import { VRPC_HEADERS } from '../../protocol/vrpc.constants.js';

/** Carries the message key: AMQP messages have no key of their own. */
export const KEY_HEADER = VRPC_HEADERS.busKey;

/** The routing key of a message: a partition address for inboxes, none for consumer groups. */
export function routingKey(partition: number | undefined): string {
  return partition === undefined ? '' : String(partition);
}

/** The queue that holds a consumer group's messages of one topic. */
export function groupQueue(group: string, topic: string): string {
  return `${group}@${topic}`;
}

function headerText(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString();
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Converts an AMQP delivery to the bus' shape; the offset is the channel's delivery tag. */
export function toIncoming(topic: string, partition: number, message: ConsumeMessage): IncomingMessage {
  const headers: BusHeaders = {};
  let key: string | null = null;
  for (const [name, value] of Object.entries(message.properties.headers ?? {})) {
    if (value === undefined || value === null) continue;
    if (name === KEY_HEADER) key = headerText(value);
    else headers[name] = headerText(value);
  }
  return { topic, partition, offset: String(message.fields.deliveryTag), key, value: message.content, headers };
}
