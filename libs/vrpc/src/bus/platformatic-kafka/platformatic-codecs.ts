import { nativeZstd, unsnappy } from '../kafka-common/kafka-codecs.js';
import { batchPosition, unreadableRecords } from '../kafka-common/unreadable-batch.js';
import type { PlatformaticKafkaModule } from './platformatic-kafka-client.js';

type Algorithm = { decompressSync(data: Buffer): Buffer; compressSync(data: Buffer): Buffer; bitmask: number; available: boolean };

const NAMES: Record<number, string> = { 1: 'gzip', 2: 'snappy', 3: 'lz4', 4: 'zstd' };
/** The codec bits Kafka leaves undefined: the broker refuses them at produce, so this is only a net. */
const UNDEFINED_IDS = [5, 6, 7];
const completed = new WeakSet<object>();

function asBuffer(data: unknown): Buffer {
  return Buffer.isBuffer(data) ? data : (data as { buffer: Buffer }).buffer;
}

/**
 * Makes `decompress` tolerant, as the kafkajs bus's codecs are: a batch it cannot read becomes
 * one record standing for the whole batch (see `unreadableRecords`). The client hands it a view of
 * the fetch response when the batch lies in one of the response's chunks; otherwise the header
 * cannot be found and it fails as before (the member consumes again, once a second).
 */
function tolerant(id: number, decompress: (data: Buffer) => Buffer, crc32c: (data: Buffer) => number): (data: Buffer) => Buffer {
  return (data) => {
    const bytes = asBuffer(data);
    try {
      return decompress(bytes);
    } catch (error: unknown) {
      const position = batchPosition(bytes, crc32c);
      if (!position) throw error;
      const range = `${position.firstOffset}-${position.lastOffset}`;
      const reason = `${NAMES[id] ?? `codec ${id}`}-compressed batch at offsets ${range} (${position.count} records) could not be decompressed: ${String(error)}`;
      return unreadableRecords(position, bytes, reason);
    }
  };
}

/**
 * Completes what `@platformatic/kafka` reads, in its exported `compressionsAlgorithms` and
 * `compressionsAlgorithmsByBitmask` (the one place this library changes another's objects):
 * Snappy in xerial's framing, which Java producers write, besides raw Snappy; zstd through
 * `fzstd` on a Node whose zlib has none (before 22.15); and every codec tolerant of a batch it
 * cannot read. Writing is left as it is. Once per loaded module.
 */
export async function completePlatformaticCodecs(kafka: PlatformaticKafkaModule): Promise<void> {
  const algorithms = kafka.compressionsAlgorithms as unknown as Record<string, Algorithm>;
  const byBitmask = kafka.compressionsAlgorithmsByBitmask as unknown as Record<number, Algorithm | undefined>;
  if (completed.has(algorithms)) return;
  const [{ decompress: fzstd }, { crc32c }] = await Promise.all([import('fzstd'), import('@platformatic/wasm-utils')]);
  if (completed.has(algorithms)) return;
  completed.add(algorithms);
  const { snappy, zstd } = algorithms;
  const rawSnappy = snappy.decompressSync.bind(snappy);
  snappy.decompressSync = (data) => unsnappy(asBuffer(data), rawSnappy);
  if (!nativeZstd().zstdDecompressSync) zstd.decompressSync = (data) => Buffer.from(fzstd(asBuffer(data)));
  for (const algorithm of Object.values(algorithms)) {
    if (algorithm.bitmask !== 0) algorithm.decompressSync = tolerant(algorithm.bitmask, algorithm.decompressSync.bind(algorithm), crc32c);
  }
  for (const id of UNDEFINED_IDS) {
    const fail = () => {
      throw new Error(`unknown compression codec id ${id}`);
    };
    byBitmask[id] ??= { bitmask: id, available: false, compressSync: fail, decompressSync: tolerant(id, fail, crc32c) };
  }
}
