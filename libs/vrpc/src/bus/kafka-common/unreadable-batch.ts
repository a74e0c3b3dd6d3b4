/** Bytes of a v2 record batch before its records: offsets, length, epoch, magic, CRC and the rest. */
const HEADER_BYTES = 61;
const CRC_START = 21;
/** Kafka writes batches of magic 2 since 0.11; older message sets are never compressed this way. */
const MAGIC = 2;
/**
 * Before the batch's first offset, so below the offset any fetch that returned the batch asked for:
 * both Kafka clients drop records placed there (as they drop the start of a batch already read).
 */
const OUT_OF_RANGE_DELTA = -1;

/** The header fields of a record batch that locate it, read even when its records cannot be. */
export interface BatchPosition {
  firstOffset: bigint;
  lastOffset: bigint;
  codecId: number;
  count: number;
}

/** Synthetic records stand for a batch that could not be read; only they live in these buffers. */
const unreadable = new WeakMap<ArrayBufferLike, string>();

/**
 * The header of the record batch whose compressed records are `records`: kafkajs hands a codec
 * a view of the fetch response, so the header lies just before it. Checked by its length, magic
 * and CRC (over the whole batch, as the broker wrote it); undefined where it is not found.
 * `crc32c` is passed in so that this module loads nothing (it is on every message's path).
 */
export function batchPosition(records: Buffer, crc32c: (data: Buffer) => number): BatchPosition | undefined {
  if (records.byteOffset < HEADER_BYTES) return undefined;
  const batch = Buffer.from(records.buffer, records.byteOffset - HEADER_BYTES, HEADER_BYTES + records.length);
  if (batch.readInt32BE(8) !== batch.length - 12 || batch.readInt8(16) !== MAGIC) return undefined;
  if (batch.readUInt32BE(17) !== crc32c(batch.subarray(CRC_START))) return undefined;
  const firstOffset = batch.readBigInt64BE(0);
  return {
    firstOffset,
    lastOffset: firstOffset + BigInt(batch.readInt32BE(23)),
    codecId: batch.readInt16BE(21) & 0x07,
    count: batch.readInt32BE(57),
  };
}

function varint(value: number): number[] {
  let rest = ((value << 1) ^ (value >> 31)) >>> 0;
  const bytes: number[] = [];
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return bytes;
}

/** One record (no key, no headers) in Kafka's v2 encoding, at `offsetDelta` from the batch's first offset. */
function record(offsetDelta: number, value: Buffer): Buffer {
  const body = Buffer.concat([
    Buffer.from([0, 0, ...varint(offsetDelta), ...varint(-1), ...varint(value.length)]),
    value,
    Buffer.from([0]),
  ]);
  return Buffer.concat([Buffer.from(varint(body.length)), body]);
}

/**
 * What a codec returns for a batch it cannot read: `count` records, of which kafkajs keeps one,
 * placed at the batch's last offset (so that the consumer moves past the whole batch) and holding
 * the compressed bytes; the others sit before the batch, where the Kafka clients drop them.
 */
export function unreadableRecords(position: BatchPosition, records: Buffer, reason: string): Buffer {
  const last = Number(position.lastOffset - position.firstOffset);
  const filler = record(OUT_OF_RANGE_DELTA, Buffer.alloc(0));
  const parts = [record(last, records), ...Array.from({ length: Math.max(0, position.count - 1) }, () => filler)];
  // Buffer.alloc never takes a slice of the shared pool: the buffer is this batch's alone.
  const out = Buffer.alloc(parts.reduce((sum, part) => sum + part.length, 0));
  Buffer.concat(parts).copy(out);
  unreadable.set(out.buffer, reason);
  return out;
}

/** Why the record holding `value` stands for an unreadable batch; undefined for a record read as written. */
export function unreadableReason(value: Buffer | null): string | undefined {
  return value ? unreadable.get(value.buffer) : undefined;
}
