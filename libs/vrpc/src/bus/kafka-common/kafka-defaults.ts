import type { KafkaCommonOptions } from './kafka-common-options.interface.js';
import { resolveBrokers } from './resolve-brokers.js';

/** The shared Kafka options with every default filled in. */
export type ResolvedKafkaOptions = Required<KafkaCommonOptions>;

/** The defaults of the options both Kafka buses share, kept in one place so that both default alike. */
export const KAFKA_DEFAULTS = {
  clientId: 'vrpc',
  acks: -1,
  sessionTimeoutMs: 10_000,
  maxWaitTimeMs: 100,
  commitIntervalMs: 100,
  // The broker's default message.max.bytes less room for a record batch's framing.
  maxMessageBytes: 1_048_588 - 512,
} as const satisfies Omit<ResolvedKafkaOptions, 'brokers'>;

/** `options` with the defaults for what they leave out (an explicit `undefined` too). */
export function withKafkaDefaults(options: KafkaCommonOptions): ResolvedKafkaOptions {
  return {
    brokers: resolveBrokers(options),
    clientId: options.clientId ?? KAFKA_DEFAULTS.clientId,
    acks: options.acks ?? KAFKA_DEFAULTS.acks,
    sessionTimeoutMs: options.sessionTimeoutMs ?? KAFKA_DEFAULTS.sessionTimeoutMs,
    maxWaitTimeMs: options.maxWaitTimeMs ?? KAFKA_DEFAULTS.maxWaitTimeMs,
    commitIntervalMs: options.commitIntervalMs ?? KAFKA_DEFAULTS.commitIntervalMs,
    maxMessageBytes: options.maxMessageBytes ?? KAFKA_DEFAULTS.maxMessageBytes,
  };
}

/**
 * How often a consumer heartbeats for a session timeout: often enough that a few lost
 * heartbeats do not end the session, at most every 3 s (kafkajs' default).
 */
export function heartbeatIntervalMs(sessionTimeoutMs: number): number {
  return Math.min(3_000, Math.floor(sessionTimeoutMs / 5));
}
