import { randomBytes } from 'node:crypto';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaPartitioner, murmur2 } from './kafka-partitioner.js';

const partitions = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));

describe('kafkaPartitioner', () => {
  it('puts keyed messages where kafkajs (and Java clients) put them', () => {
    const ours = kafkaPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const count of [1, 8, 12, 16]) {
      const metadata = partitions(count);
      for (let i = 0; i < 1_000; i++) {
        const key = randomBytes(i % 80).toString(i % 2 ? 'hex' : 'latin1');
        const message = { key, value: null };
        expect(ours({ topic: 't', partitionMetadata: metadata, message })).toBe(
          theirs({ topic: 't', partitionMetadata: metadata, message }),
        );
      }
    }
  });

  it('computes murmur2 as Kafka does', () => {
    // Kafka's UtilsTest.testMurmur2.
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(Buffer.from([97, 98, 99]))).toBe(479470107);
  });

  it('keeps an explicit partition', () => {
    const choose = kafkaPartitioner();
    expect(choose({ topic: 't', partitionMetadata: partitions(16), message: { key: 'k', value: null, partition: 11 } })).toBe(11);
  });

  it('spreads messages without a key over the partitions that have a leader', () => {
    const choose = kafkaPartitioner();
    const metadata = partitions(4);
    metadata[2].leader = -1;
    const seen = new Set(Array.from({ length: 12 }, () => choose({ topic: 't', partitionMetadata: metadata, message: { value: null } })));
    expect([...seen].sort()).toEqual([0, 1, 3]);
  });
});
