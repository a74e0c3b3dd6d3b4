// A producer that is not vRPC, run in a process of its own (its own kafkajs, with codecs of its
// own): Snappy in xerial's framing as Java producers write it, LZ4 frames, zstd frames of raw
// blocks (what any zstd reader reads, written without a zstd library), gzip as kafkajs writes it.
// Reads a JSON list of messages on stdin: { topic, partition, value (base64), headers, compression }.
import { lz4Compress, snappyCompress } from '@platformatic/wasm-utils';
import kafkajs from 'kafkajs';

const { CompressionCodecs, CompressionTypes, Kafka, logLevel } = kafkajs;
const unused = () => Promise.reject(new Error('this producer does not read'));

function xerialSnappy(data) {
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  const blocks = [header];
  for (let at = 0; at < data.length || at === 0; at += 32_768) {
    const block = snappyCompress(data.subarray(at, at + 32_768));
    const size = Buffer.alloc(4);
    size.writeInt32BE(block.length);
    blocks.push(size, block);
    if (data.length === 0) break;
  }
  return Buffer.concat(blocks);
}

function rawZstd(data) {
  const header = Buffer.alloc(9);
  header.writeUInt32LE(0xfd2fb528, 0);
  header[4] = 0xa0; // single segment, 4-byte content size
  header.writeUInt32LE(data.length, 5);
  const parts = [header];
  for (let at = 0; at < data.length || at === 0; at += 131_072) {
    const block = data.subarray(at, at + 131_072);
    const last = at + 131_072 >= data.length ? 1 : 0;
    const blockHeader = (block.length << 3) | last; // type 0: raw
    parts.push(Buffer.from([blockHeader & 0xff, (blockHeader >> 8) & 0xff, (blockHeader >> 16) & 0xff]), block);
    if (last) break;
  }
  return Buffer.concat(parts);
}

CompressionCodecs[CompressionTypes.Snappy] = () => ({ compress: async ({ buffer }) => xerialSnappy(buffer), decompress: unused });
CompressionCodecs[CompressionTypes.LZ4] = () => ({ compress: async ({ buffer }) => lz4Compress(buffer), decompress: unused });
CompressionCodecs[CompressionTypes.ZSTD] = () => ({ compress: async ({ buffer }) => rawZstd(buffer), decompress: unused });

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const messages = JSON.parse(Buffer.concat(chunks).toString());
const kafka = new Kafka({ clientId: 'foreign-producer', brokers: process.env.BROKERS.split(','), logLevel: logLevel.NOTHING });
const producer = kafka.producer({ allowAutoTopicCreation: false });
await producer.connect();
for (const { topic, partition, value, headers, compression, copies = 1 } of messages) {
  const message = { partition, value: Buffer.from(value, 'base64'), headers };
  // One send: one record batch, of `copies` records.
  await producer.send({ topic, compression: CompressionTypes[compression], messages: Array.from({ length: copies }, () => message) });
}
await producer.disconnect();
