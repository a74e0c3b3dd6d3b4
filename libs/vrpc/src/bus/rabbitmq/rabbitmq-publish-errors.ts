import { VrpcPublishError } from '../../errors/vrpc-publish.error.js';

/**
 * RabbitMQ's default `max_message_size` since 4.0 (16 MiB; 128 MiB before): the broker closes
 * the channel over a bigger message.
 */
export const RABBITMQ_DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * The error a publish failed with, as a `VrpcPublishError` that says whether it is final: a
 * topic without an exchange (NOT_FOUND) and a message over the broker's max size are; anything
 * else (a lost connection, a missing confirm) is worth a retry.
 */
export function rabbitMqPublishError(topic: string, error: unknown): VrpcPublishError {
  if (error instanceof VrpcPublishError) return error;
  const text = String((error as { message?: unknown } | null)?.message ?? error);
  if (/NOT_FOUND|404/.test(text)) {
    const message = `topic ${topic} has no exchange; is it provisioned (ensureTopics)? ${text}`;
    return new VrpcPublishError('rabbitmq', 'unknown-topic', true, message, { cause: error });
  }
  if (/larger than configured max size|max_message_size|FRAME_ERROR/i.test(text)) {
    return new VrpcPublishError('rabbitmq', 'too-large', true, `a message to ${topic} was refused: ${text}`, { cause: error });
  }
  return new VrpcPublishError('rabbitmq', 'unavailable', false, `publish to ${topic} failed: ${text}`, { cause: error });
}

/** A message for a topic that no group's queue is bound to yet: kept by nobody, worth a retry (a server may be starting). */
export function unroutable(topic: string): VrpcPublishError {
  return new VrpcPublishError(
    'rabbitmq',
    'unroutable',
    false,
    `no consumer group has a queue on topic ${topic} yet; the message was not kept`,
  );
}
