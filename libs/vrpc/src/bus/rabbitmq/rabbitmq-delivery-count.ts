import type { ConsumeMessage } from 'amqplib';

/**
 * How many times a message has been handed out, this time included. Quorum queues count the
 * returns of a message (a consumer whose channel closed with it, a requeue) in `x-delivery-count`;
 * from RabbitMQ 4.3 that header counts failed deliveries only and `x-acquired-count` every
 * return, so the larger of the two is taken. Classic queues set neither: every delivery reads as
 * the first.
 */
export function deliveryCount(message: ConsumeMessage): number {
  const headers = message.properties.headers ?? {};
  return 1 + Math.max(counter(headers['x-delivery-count']), counter(headers['x-acquired-count']));
}

function counter(value: unknown): number {
  const count = typeof value === 'number' ? value : Number(value);
  return Number.isSafeInteger(count) && count > 0 ? count : 0;
}
