import { VrpcPublishError } from '../../errors/vrpc-publish.error.js';

/** NATS' default `max_payload` (1 MiB), until the server states its own on connect. */
export const NATS_DEFAULT_MAX_PAYLOAD = 1_048_576;

/**
 * The error a JetStream publish failed with, as a `VrpcPublishError` that says whether it is
 * final: no stream captures the subject (an unknown topic), the payload is over the server's
 * `max_payload` or the stream's `max_msg_size` (too large); anything else is worth a retry.
 */
export function natsPublishError(topic: string, subject: string, error: unknown): VrpcPublishError {
  const name = (error as { name?: unknown } | null)?.name;
  const text = error instanceof Error ? error.message : String(error);
  if (name === 'JetStreamNotEnabled' || name === 'NoResponders' || name === 'NoRespondersError') {
    const message = `no stream captures subject ${subject}; is topic ${topic} provisioned (ensureTopics)?`;
    return new VrpcPublishError('nats', 'unknown-topic', true, message, { cause: error });
  }
  if ((name === 'InvalidArgumentError' && text.includes('max_payload')) || /message size exceeds maximum/i.test(text)) {
    return new VrpcPublishError('nats', 'too-large', true, `publish to ${subject} refused: ${text}`, { cause: error });
  }
  return new VrpcPublishError('nats', 'unavailable', false, `publish to ${subject} failed: ${text}`, { cause: error });
}
