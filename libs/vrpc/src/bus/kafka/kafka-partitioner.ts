import { randomInt } from 'node:crypto';
import type { ICustomPartitioner, PartitionMetadata } from 'kafkajs';

/**
 * Kafka's murmur2 (Java `Utils.murmur2`) in 32-bit integer arithmetic: what kafkajs'
 * `DefaultPartitioner` computes with 64-bit `Long` objects, without their allocations.
 */
export function murmur2(key: Buffer): number {
  const m = 0x5bd1e995;
  const length = key.length;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = key[i] | (key[i + 1] << 8) | (key[i + 2] << 16) | (key[i + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= key[whole + 2] << 16;
  if (rest >= 2) h ^= key[whole + 1] << 8;
  if (rest >= 1) h = Math.imul(h ^ key[whole], m);
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

const toPositive = (value: number) => value & 0x7fffffff;

function roundRobin(partitions: PartitionMetadata[], turn: number): number {
  const available = partitions.filter((partition) => partition.leader >= 0);
  const from = available.length > 0 ? available : partitions;
  return from[turn % from.length].partitionId;
}

/**
 * kafkajs' `DefaultPartitioner`, decision for decision (an explicit partition; else murmur2 of
 * the key, where Java clients put it too; else round robin), at a fraction of its cost: it
 * hashes with 64-bit `Long` objects and filters the partition list for every message, and
 * every request and reply of vRPC goes through it.
 */
export const kafkaPartitioner: ICustomPartitioner = () => {
  const turns = new Map<string, number>();
  return ({ topic, partitionMetadata, message }) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key === null || message.key === undefined) {
      const turn = ((turns.get(topic) ?? randomInt(0x7fffffff)) + 1) & 0x7fffffff;
      turns.set(topic, turn);
      return roundRobin(partitionMetadata, turn);
    }
    const key = Buffer.isBuffer(message.key) ? message.key : Buffer.from(message.key);
    return toPositive(murmur2(key)) % partitionMetadata.length;
  };
};
