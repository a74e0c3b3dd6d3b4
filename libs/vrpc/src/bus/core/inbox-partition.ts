import { hashString } from '../../utils/hash.js';

/**
 * The partition an inbox is addressed by on buses with cheap addresses (NATS subjects, AMQP
 * routing keys): a 31-bit hash of the instance id, since the envelope carries it as an int32.
 * Unlike Kafka's few reply partitions, two instances practically never share one.
 */
export function inboxPartition(instanceId: string): number {
  return hashString(instanceId) & 0x7fffffff;
}
