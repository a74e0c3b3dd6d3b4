import { createRequire } from 'node:module';
import { Logger } from '@nestjs/common';
import { MissingPackageError } from '../../errors/missing-package.error.js';
import { loadOptionalPackage } from '../../utils/optional-package.js';
import { nativeZstd, unsnappy } from '../kafka-common/kafka-codecs.js';
import type { KafkajsModule } from './kafkajs-client.js';
import { batchPosition, unreadableRecords } from '../kafka-common/unreadable-batch.js';

/** A kafkajs compression codec, as `CompressionCodecs` holds them (behind a factory). */
interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}
type CodecFactory = () => Codec;

const NAMES: Record<number, string> = { 1: 'gzip', 2: 'snappy', 3: 'lz4', 4: 'zstd' };
/** What the codec bits of a batch's attributes can hold (3 bits); Kafka defines 1–4. */
const CODEC_IDS = [1, 2, 3, 4, 5, 6, 7];

const registered = new WeakSet<object>();
/** Snappy and LZ4 come from this optional peer (a dependency of @platformatic/kafka, so often present). */
const WASM_UTILS = '@platformatic/wasm-utils';
export const SNAPPY_LZ4_FEATURE = 'reading and writing Snappy and LZ4 on the "kafka" bus';

/** kafkajs' own CRC-32C (what it checks produced batches with): the tolerant codecs need no package of their own. */
function kafkajsCrc32c(): (data: Buffer) => number {
  return createRequire(import.meta.url)('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (data: Buffer) => number;
}

async function loadWasmUtils() {
  try {
    return await loadOptionalPackage(SNAPPY_LZ4_FEATURE, [WASM_UTILS], () => import('@platformatic/wasm-utils'));
  } catch (error: unknown) {
    if (!(error instanceof MissingPackageError)) throw error;
    new Logger('KafkaBus').warn(`${error.message}; until then such batches are dead-lettered`);
    return undefined;
  }
}

/** A codec that cannot work without `packages`: what it is asked to read is dead-lettered, naming them. */
function missingCodec(): Codec {
  const fail = () => Promise.reject(new MissingPackageError(SNAPPY_LZ4_FEATURE, [WASM_UTILS]));
  return { compress: fail, decompress: fail };
}

/** `fn` as a codec method: kafkajs awaits what codecs return. */
function later(fn: (data: Buffer) => Buffer): (data: Buffer) => Promise<Buffer> {
  // The executor turns a throw into a rejection.
  return (data) => new Promise((resolve) => resolve(fn(data)));
}

async function ownCodecs(): Promise<Record<number, Codec>> {
  const [wasm, { decompress: fzstd }] = await Promise.all([loadWasmUtils(), import('fzstd')]);
  const { zstdCompressSync, zstdDecompressSync } = nativeZstd();
  const writeZstd = (data: Buffer) => {
    if (!zstdCompressSync) throw new Error('this Node cannot write zstd (Node >= 22.15 can)');
    return zstdCompressSync(data);
  };
  const codec = (compress: (data: Buffer) => Buffer, decompress: (data: Buffer) => Buffer): Codec => {
    const write = later(compress);
    return { compress: ({ buffer }) => write(buffer), decompress: later(decompress) };
  };
  return {
    2: wasm ? codec(wasm.snappyCompress, (data) => unsnappy(data, wasm.snappyDecompress)) : missingCodec(),
    3: wasm ? codec(wasm.lz4Compress, wasm.lz4Decompress) : missingCodec(),
    4: codec(writeZstd, (data) => (zstdDecompressSync ? zstdDecompressSync(data) : Buffer.from(fzstd(data)))),
  };
}

function unknownCodec(id: number): Codec {
  const fail = () => Promise.reject(new Error(`unknown compression codec id ${id}`));
  return { compress: fail, decompress: fail };
}

/** The codec a factory makes, or undefined for kafkajs' placeholders, which throw "not implemented". */
function made(factory: CodecFactory | undefined): Codec | undefined {
  try {
    return factory?.();
  } catch {
    return undefined;
  }
}

/**
 * `codec`, except that a batch it cannot decompress becomes one record standing for the whole
 * batch (see `unreadableRecords`) instead of an error that would stop the consumer for good.
 */
function tolerant(id: number, codec: Codec, crc32c: (data: Buffer) => number): Codec {
  return {
    compress: (encoder) => codec.compress(encoder),
    async decompress(buffer) {
      try {
        return await codec.decompress(buffer);
      } catch (error: unknown) {
        const position = batchPosition(buffer, crc32c);
        // Not a batch as kafkajs reads them today: nothing to skip to, so fail as kafkajs would.
        if (!position) throw error;
        const name = NAMES[id] ?? `codec ${id}`;
        const range = `${position.firstOffset}-${position.lastOffset}`;
        const reason = `${name}-compressed batch at offsets ${range} (${position.count} records) could not be decompressed: ${String(error)}`;
        return unreadableRecords(position, buffer, reason);
      }
    },
  };
}

/**
 * Teaches kafkajs every codec Kafka producers write: gzip (its own), Snappy (raw or xerial-framed)
 * and LZ4 frames through `@platformatic/wasm-utils` (an optional dependency: where it is
 * missing they are dead-lettered, naming it), ZSTD through Node's zlib or `fzstd`. A codec
 * already registered (by the app) is kept. Every codec, and the ids Kafka does not define, is
 * made tolerant: a batch it cannot read reaches the consumer as one unreadable message. Once per
 * kafkajs instance.
 */
export async function registerKafkajsCodecs(kafkajs: KafkajsModule): Promise<void> {
  // Node's ES-module view of kafkajs (CommonJS) names only some exports; `default` is the module itself.
  const module = (kafkajs as unknown as { default?: KafkajsModule }).default ?? kafkajs;
  const codecs = module.CompressionCodecs as unknown as Record<number, CodecFactory | undefined>;
  if (registered.has(codecs)) return;
  const own = await ownCodecs();
  const crc32c = kafkajsCrc32c();
  if (registered.has(codecs)) return;
  registered.add(codecs);
  for (const id of CODEC_IDS) {
    const codec = tolerant(id, made(codecs[id]) ?? own[id] ?? unknownCodec(id), crc32c);
    codecs[id] = () => codec;
  }
}
