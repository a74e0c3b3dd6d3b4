import { lz4Compress, snappyCompress } from '@platformatic/wasm-utils';
import kafkajs, { type Producer, type ProducerRecord, type RecordMetadata } from 'kafkajs';

// kafkajs is CommonJS: its codec table is reached through the default export.
const { CompressionCodecs } = kafkajs;

/** What kafkajs calls to compress a batch: `encoder.buffer` is the batch's records. */
type Compress = (data: Buffer) => Buffer;

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

/** Snappy in snappy-java's (xerial) framing, as Java's producer and kafka-go write it. */
export const snappyXerial: Compress = (data) => {
  const block = snappyCompress(data);
  const header = Buffer.alloc(16 + 4);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  header.writeInt32BE(block.length, 16);
  return Buffer.concat([header, block]);
};

/** Snappy without framing, as librdkafka (kcat) writes it. */
export const snappyRaw: Compress = (data) => snappyCompress(data);

/** An LZ4 frame, as every current Kafka producer writes it. */
export const lz4Frame: Compress = (data) => lz4Compress(data);

/**
 * A Zstandard frame (RFC 8878) made of raw blocks: legal for every decoder, and Node 20 has no
 * zstd encoder of its own. Frame header: single segment, 4-byte content size, no checksum.
 */
export const zstdRawBlocks: Compress = (data) => {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0b1010_0000])];
  const size = Buffer.alloc(4);
  size.writeUInt32LE(data.length);
  parts.push(size);
  const MAX_BLOCK = 128 * 1024;
  for (let at = 0; at < data.length || at === 0; at += MAX_BLOCK) {
    const chunk = data.subarray(at, at + MAX_BLOCK);
    const last = at + MAX_BLOCK >= data.length ? 1 : 0;
    const header = (chunk.length << 3) | (0 << 1) | last;
    parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]), chunk);
    if (data.length === 0) break;
  }
  return Buffer.concat(parts);
};

/** The codec ids a batch's attributes can name; 5–7 are unknown to every client. */
export const CODEC_IDS = { gzip: 1, snappy: 2, lz4: 3, zstd: 4, unknown: 5 } as const;

const codecs = CompressionCodecs as unknown as Record<number, (() => unknown) | undefined>;

/**
 * Sends `record` compressed with `compress` under codec id `codec`, registering the codec in
 * kafkajs' (process-wide) table only for this send: decompression stays whatever this process
 * had, so vRPC clients of the test process read as they would without the attacker.
 */
export async function sendCompressed(
  producer: Producer,
  record: ProducerRecord,
  codec: number,
  compress: Compress,
): Promise<RecordMetadata[]> {
  const before = codecs[codec];
  codecs[codec] = () => ({
    compress: (encoder: { buffer: Buffer }) => Promise.resolve(compress(encoder.buffer)),
    decompress: (buffer: Buffer) => {
      if (!before) return Promise.reject(new Error(`codec ${codec} is not known to this process`));
      return (before() as { decompress(buffer: Buffer): Promise<Buffer> }).decompress(buffer);
    },
  });
  try {
    return await producer.send({ ...record, compression: codec });
  } finally {
    if (before) codecs[codec] = before;
    else delete codecs[codec];
  }
}
