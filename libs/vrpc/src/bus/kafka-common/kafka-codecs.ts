import zlib from 'node:zlib';

type Zstd = { zstdCompressSync?: (data: Buffer) => Buffer; zstdDecompressSync?: (data: Buffer) => Buffer };

/** Java producers frame Snappy the way xerial's snappy-java does: this magic, two versions, then sized blocks. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;

/** Node's own zstd (Node >= 22.15), where there is one: it writes as well as reads. */
export function nativeZstd(): Zstd {
  return zlib as unknown as Zstd;
}

/** Raw Snappy, or Snappy in xerial's framing. */
export function unsnappy(data: Buffer, decompress: (block: Buffer) => Buffer): Buffer {
  if (data.length < XERIAL_HEADER_BYTES || !data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) return decompress(data);
  const blocks: Buffer[] = [];
  for (let at = XERIAL_HEADER_BYTES; at < data.length;) {
    const size = data.readInt32BE(at);
    if (size < 0 || at + 4 + size > data.length) throw new Error('truncated xerial Snappy block');
    blocks.push(decompress(data.subarray(at + 4, at + 4 + size)));
    at += 4 + size;
  }
  return Buffer.concat(blocks);
}
