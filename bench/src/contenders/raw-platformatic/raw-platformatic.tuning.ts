import { Consumer, FetchIsolationLevels, Producer } from '@platformatic/kafka';
import { RAW_TUNING } from '../raw-kafka/raw-kafka.tuning.js';

/** Keys and values as the client reads and writes them by default: bytes. */
export type RawPlatformaticProducer = Producer<Buffer, Buffer, Buffer, Buffer>;
export type RawPlatformaticConsumer = Consumer<Buffer, Buffer, Buffer, Buffer>;

/**
 * A producer for the floor with the kafkajs floor's knobs (`RAW_TUNING`): leader-only acks,
 * hence not idempotent (that needs acks -1), no topic auto-creation. The client's sockets
 * are opened with Nagle off already.
 */
export function rawPlatformaticProducer(clientId: string, brokers: string[]): RawPlatformaticProducer {
  return new Producer({ clientId, bootstrapBrokers: brokers, acks: RAW_TUNING.acks, idempotent: false, autocreateTopics: false });
}

/**
 * A consumer for the floor with the kafkajs floor's fetch settings: answered as soon as 1 byte
 * is there, idle polls bounded by the same wait, uncommitted records read (the kafkajs floor's
 * `readUncommitted`; this client filters aborted ones otherwise), nothing committed for it.
 */
export function rawPlatformaticConsumer(clientId: string, brokers: string[], groupId: string): RawPlatformaticConsumer {
  return new Consumer({
    clientId,
    bootstrapBrokers: brokers,
    groupId,
    maxWaitTime: RAW_TUNING.maxWaitTimeInMs,
    minBytes: RAW_TUNING.minBytes,
    isolationLevel: FetchIsolationLevels.READ_UNCOMMITTED,
    autocommit: false,
  });
}
