import { nativeZstd, unsnappy } from '../kafka-common/kafka-codecs.js';
import type { PlatformaticKafkaModule } from './platformatic-kafka-client.js';

type Algorithm = { decompressSync(data: Buffer): Buffer };

const completed = new WeakSet<object>();

function asBuffer(data: unknown): Buffer {
  return Buffer.isBuffer(data) ? data : (data as { buffer: Buffer }).buffer;
}

/**
 * Completes what `@platformatic/kafka` reads, in its exported `compressionsAlgorithms` (the one
 * place this library changes another's objects): Snappy in xerial's framing, which Java producers
 * write, besides raw Snappy; and zstd through `fzstd` on a Node whose zlib has none (before 22.15).
 * Writing is left as it is. Once per loaded module.
 */
export async function completePlatformaticCodecs(kafka: PlatformaticKafkaModule): Promise<void> {
  const algorithms = kafka.compressionsAlgorithms as unknown as Record<'snappy' | 'zstd', Algorithm>;
  if (completed.has(algorithms)) return;
  const { decompress: fzstd } = await import('fzstd');
  if (completed.has(algorithms)) return;
  completed.add(algorithms);
  const { snappy, zstd } = algorithms;
  const raw = snappy.decompressSync.bind(snappy);
  snappy.decompressSync = (data) => unsnappy(asBuffer(data), raw);
  if (!nativeZstd().zstdDecompressSync) zstd.decompressSync = (data) => Buffer.from(fzstd(asBuffer(data)));
}
