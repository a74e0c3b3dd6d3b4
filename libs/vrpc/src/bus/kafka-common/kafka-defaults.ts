import zlib from 'node:zlib';
import { VrpcConfigError } from '../../errors/vrpc-config.error.js';
import { ConfigMessages } from '../../errors/vrpc.messages.js';
import type { KafkaCommonOptions, KafkaCompression } from './kafka-common-options.interface.js';
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
  compression: 'none',
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
    compression: checkedCompression(options.compression ?? KAFKA_DEFAULTS.compression),
    maxMessageBytes: options.maxMessageBytes ?? KAFKA_DEFAULTS.maxMessageBytes,
  };
}

const COMPRESSIONS: readonly KafkaCompression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** True where this Node's zlib writes zstd (Node >= 22.15). */
export function canWriteZstd(): boolean {
  return typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';
}

/** `compression`, refused where it is unknown or cannot be written on this Node. */
function checkedCompression(compression: KafkaCompression): KafkaCompression {
  if (!COMPRESSIONS.includes(compression))
    throw new VrpcConfigError('compression', ConfigMessages.unknownCompression(String(compression), COMPRESSIONS));
  if (compression === 'zstd' && !canWriteZstd()) throw new VrpcConfigError('compression', ConfigMessages.zstdUnwritable(process.version));
  return compression;
}

/**
 * How often a consumer heartbeats for a session timeout: often enough that a few lost
 * heartbeats do not end the session, at most every 3 s (kafkajs' default).
 */
export function heartbeatIntervalMs(sessionTimeoutMs: number): number {
  return Math.min(3_000, Math.floor(sessionTimeoutMs / 5));
}
