import { type PublishFailureReason, VrpcPublishError } from '../../errors/vrpc-publish.error.js';

/**
 * Kafka's protocol errors that fail a produce the same way every time, by the name both clients
 * use (kafkajs' `type`, @platformatic/kafka's `apiId`). `UNKNOWN_TOPIC_OR_PARTITION` is final for
 * vRPC although the clients call it retriable: vRPC creates its topics before it uses them, so
 * an unknown one is an address nobody will create (a `reply_to` naming a missing topic).
 */
const FINAL: Readonly<Record<string, PublishFailureReason>> = {
  MESSAGE_TOO_LARGE: 'too-large',
  RECORD_LIST_TOO_LARGE: 'too-large',
  UNKNOWN_TOPIC_OR_PARTITION: 'unknown-topic',
  INVALID_TOPIC_EXCEPTION: 'invalid-topic',
  TOPIC_AUTHORIZATION_FAILED: 'not-authorized',
  CLUSTER_AUTHORIZATION_FAILED: 'not-authorized',
  INVALID_RECORD: 'too-large',
};

/** The names of the Kafka protocol errors in `error`, its causes and its aggregated errors. */
function protocolNames(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 5) return [];
  const found = error as { type?: unknown; apiId?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
  const names = [found.type, found.apiId].filter((name): name is string => typeof name === 'string');
  const nested = [found.cause, found.originalError, ...(Array.isArray(found.errors) ? (found.errors as unknown[]) : [])];
  return names.concat(nested.flatMap((inner) => protocolNames(inner, depth + 1)));
}

/** @platformatic/kafka's metadata lookup of a missing topic: a user error, not a protocol one. */
function unknownTopicOfPlatformatic(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'PLT_KFK_USER' && typeof message === 'string' && message.startsWith('Unknown topic');
}

/**
 * The error a Kafka publish failed with, as a `VrpcPublishError` that says whether it is final;
 * `bus` names the bus (`kafka`, `platformatic-kafka`). Already mapped errors pass through.
 */
export function kafkaPublishError(bus: string, error: unknown): VrpcPublishError {
  if (error instanceof VrpcPublishError) return error;
  const reason = unknownTopicOfPlatformatic(error)
    ? 'unknown-topic'
    : protocolNames(error)
        .map((name) => FINAL[name])
        .find((mapped) => mapped !== undefined);
  const text = error instanceof Error ? error.message : String(error);
  return new VrpcPublishError(bus, reason ?? 'unavailable', reason !== undefined, `publish failed: ${text}`, { cause: error });
}
