import { createRequire } from 'node:module';
import { crc32c, snappyCompress } from '@platformatic/wasm-utils';
import kafkajs, { type KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { unsnappy } from '../kafka-common/kafka-codecs.js';
import { toIncoming } from './kafka-message.js';
import type { KafkajsModule } from './kafkajs-client.js';
import { registerKafkajsCodecs } from './kafkajs-codecs.js';

type Codec = { compress(encoder: { buffer: Buffer }): Promise<Buffer>; decompress(buffer: Buffer): Promise<Buffer> };
type Codecs = Record<number, () => Codec>;

// kafkajs' own fetch decoding, to pin what the tolerant codecs rely on: a codec gets a view of
// the fetch response, and a batch's records below the fetched offset are dropped.
const require = createRequire(import.meta.url);
const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => unknown;
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (decoder: unknown) => Promise<{ records: unknown[] }>;
const Batch = require('kafkajs/src/consumer/batch') as new (
  topic: string,
  fetchedOffset: string,
  data: { partition: number; messages: unknown[] },
) => { messages: KafkaMessage[] };

/** A v2 record batch as a broker serves it: `count` records at `firstOffset`, `body` as its compressed records. */
function recordBatch(firstOffset: bigint, count: number, codecId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(61);
  header.writeBigInt64BE(firstOffset, 0);
  header.writeInt32BE(49 + body.length, 8);
  header.writeInt8(2, 16);
  header.writeInt16BE(codecId, 21);
  header.writeInt32BE(count - 1, 23);
  header.writeBigInt64BE(-1n, 43);
  header.writeInt32BE(count, 57);
  const batch = Buffer.concat([header, body]);
  batch.writeUInt32BE(crc32c(batch.subarray(21)), 17);
  return batch;
}

/** What kafkajs hands `eachBatch` for `batch` fetched at `fetchedOffset`, behind a few bytes of response. */
async function fetched(batch: Buffer, fetchedOffset: string) {
  const response = Buffer.concat([Buffer.alloc(13, 7), batch]);
  const { records } = await decodeBatch(new Decoder(response.subarray(13)));
  return new Batch('requests', fetchedOffset, { partition: 3, messages: records }).messages;
}

describe('kafkajs codecs', () => {
  it('reads raw Snappy and Snappy in xerial framing', () => {
    const text = Buffer.from('snappy '.repeat(50));
    const block = snappyCompress(text);
    const size = Buffer.alloc(4);
    size.writeInt32BE(block.length);
    const xerial = Buffer.concat([
      Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1]),
      size,
      block,
      size,
      block,
    ]);
    const raw = (data: Buffer) => Buffer.from(data.toString() === block.toString() ? text : Buffer.alloc(0));
    expect(unsnappy(block, raw)).toEqual(text);
    expect(unsnappy(xerial, raw)).toEqual(Buffer.concat([text, text]));
    expect(() => unsnappy(xerial.subarray(0, xerial.length - 3), raw)).toThrow(/truncated/);
  });

  it("fills in Snappy, LZ4 and ZSTD, keeps an app's codec, and registers ids 5–7 as failing codecs", async () => {
    const missing = () => {
      throw new Error('not implemented');
    };
    const own: Codec = { compress: () => Promise.resolve(Buffer.from('app')), decompress: () => Promise.resolve(Buffer.from('app')) };
    const codecs: Record<number, () => Codec> = { 2: missing, 3: missing, 4: () => own };
    await registerKafkajsCodecs({ CompressionCodecs: codecs } as unknown as KafkajsModule);
    const data = Buffer.from('x'.repeat(300));
    for (const id of [2, 3]) expect(await codecs[id]().decompress(await codecs[id]().compress({ buffer: data }))).toEqual(data);
    expect(await codecs[4]().decompress(Buffer.from('anything'))).toEqual(Buffer.from('app'));
    // A zstd frame holding one raw block, "hi", read without Node's zstd where there is none.
    const zstd = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0, 2, 0, 0, 0, 0x11, 0, 0, 0x68, 0x69]);
    const fresh: Record<number, () => Codec> = {};
    await registerKafkajsCodecs({ CompressionCodecs: fresh } as unknown as KafkajsModule);
    expect((await fresh[4]().decompress(zstd)).toString()).toBe('hi');
    await expect(codecs[5]().decompress(Buffer.from('anything'))).rejects.toThrow(/unknown compression codec id 5/);
  });

  it('turns a batch its codec cannot read into one unreadable message at its last offset, holding the compressed bytes', async () => {
    await registerKafkajsCodecs(kafkajs as unknown as KafkajsModule);
    const body = Buffer.from('not snappy at all');
    const messages = await fetched(recordBatch(40n, 3, 2, body), '40');
    expect(messages).toHaveLength(1);
    const incoming = toIncoming('requests', 3, messages[0]);
    expect(incoming.offset).toBe('42');
    expect(incoming.value).toEqual(body);
    expect(incoming.unreadable).toMatch(/^snappy-compressed batch at offsets 40-42 \(3 records\) could not be decompressed: /);
  });

  it('does the same for a codec id Kafka does not define', async () => {
    await registerKafkajsCodecs(kafkajs as unknown as KafkajsModule);
    const messages = await fetched(recordBatch(7n, 1, 5, Buffer.from('??')), '7');
    expect(messages.map((message) => toIncoming('requests', 3, message).unreadable)).toEqual([
      'codec 5-compressed batch at offsets 7-7 (1 records) could not be decompressed: Error: unknown compression codec id 5',
    ]);
  });

  it('leaves a message read as written alone, and fails as kafkajs would where no batch header precedes the bytes', async () => {
    await registerKafkajsCodecs(kafkajs as unknown as KafkajsModule);
    const codec = (kafkajs.CompressionCodecs as unknown as Codecs)[2]();
    const value = Buffer.from('plain');
    expect(toIncoming('t', 0, { offset: '1', key: null, value, timestamp: '0', attributes: 0, headers: {} }).unreadable).toBeUndefined();
    await expect(codec.decompress(Buffer.from('not snappy, and no header before it'))).rejects.toThrow();
  });
});
