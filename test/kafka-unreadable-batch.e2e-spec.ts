import { compressionsAlgorithms } from '@platformatic/kafka';
import kafkajs from 'kafkajs';
import type { VrpcModuleOptions } from '@vrpc/nestjs';
import { VRPC_HEADERS } from '@vrpc/nestjs/protocol';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EchoServiceClient } from './fixtures/echo.service.js';
import { isolatedOptions, startEchoApp, type EchoApp } from './support/echo-app.js';
import { echoRequest, produceForeign } from './support/foreign-producer.js';
import { testBrokers, waitFor } from './support/kafka.js';
import { readTopic, type ReadMessage } from './support/topic-reader.js';

// Before any bus connects: codecs of this app's own, which cannot read what a producer that is
// not vRPC writes (kafkajs: zstd; @platformatic/kafka: lz4). The broker accepts only batches it
// can read itself (an unknown codec id or corrupt bytes are refused at produce), so a codec the
// consumer lacks is how an unreadable batch reaches a consumer. vRPC keeps such a codec, and
// makes it tolerant.
(kafkajs.CompressionCodecs as unknown as Record<number, () => unknown>)[4] = () => ({
  compress: () => Promise.reject(new Error('this app writes no zstd')),
  decompress: () => Promise.reject(new Error('this app reads no zstd')),
});
(compressionsAlgorithms.lz4 as unknown as { decompressSync: () => Buffer }).decompressSync = () => {
  throw new Error('this app reads no lz4');
};

const CASES = [
  { type: 'kafka', codec: 'ZSTD', name: 'zstd', magic: 0xfd2fb528 },
  { type: 'platformatic-kafka', codec: 'LZ4', name: 'lz4', magic: 0x184d2204 },
] as const;

describe.each(CASES)('a batch the $type bus cannot decompress', ({ type, codec, name, magic }) => {
  let options: VrpcModuleOptions;
  let server: EchoApp;
  let replies: { messages: ReadMessage[]; stop: () => Promise<void> };
  let dead: { messages: ReadMessage[]; stop: () => Promise<void> };
  const requestTopic = () => `${options.topics?.requestPrefix}vrpc.echo.EchoService`;
  const repliesTopic = () => options.topics?.replies ?? '';
  // Replies are keyed by their call id (the default header set writes no headers on them).
  const answered = (id: string) => replies.messages.some((message) => message.key === id);

  beforeAll(async () => {
    options = isolatedOptions({ bus: { type, brokers: testBrokers() } });
    server = await startEchoApp(options);
    await server.client.connect();
    replies = await readTopic(repliesTopic());
    dead = await readTopic(options.topics?.deadLetter ?? '');
  });

  afterAll(async () => {
    await Promise.all([replies.stop(), dead.stop()]);
    await server.app.close();
  });

  it('on a request topic is dead-lettered once, raw, and the next request on its partition is answered within 2 s', async () => {
    const unreadable = echoRequest('unreadable', repliesTopic(), 0);
    const good = echoRequest('right after', repliesTopic(), 0);
    await produceForeign([
      { topic: requestTopic(), partition: 2, value: unreadable.value, compression: codec, copies: 3 },
      { topic: requestTopic(), partition: 2, value: good.value, compression: 'None' },
    ]);
    const produced = Date.now();
    await waitFor(() => answered(good.id), 2_000);
    console.log(
      `${type}: unreadable ${name} batch of 3 on a request partition → dead-lettered; next request answered in ${Date.now() - produced} ms`,
    );
    await waitFor(() => dead.messages.length > 0, 2_000);
    expect(dead.messages).toHaveLength(1);
    const [letter] = dead.messages;
    expect(letter.headers[VRPC_HEADERS.deadReason]).toBe(
      `${name}-compressed batch at offsets 0-2 (3 records) could not be decompressed: Error: this app reads no ${name}`,
    );
    // The compressed bytes as the broker holds them: a frame of the codec.
    expect(letter.value.readUInt32LE(0)).toBe(magic);
    expect(answered(unreadable.id)).toBe(false);
  });

  it("on a client's reply partition is skipped, and the client's next calls are answered within 2 s", async () => {
    const partitions = options.topics?.replyPartitions ?? 4;
    const garbage = echoRequest('not a reply', repliesTopic(), 0).value;
    await produceForeign(
      Array.from({ length: partitions }, (_, partition) => ({
        topic: repliesTopic(),
        partition,
        value: garbage,
        compression: 'ZSTD' as const,
        copies: 2,
      })),
    );
    const echo = server.client.getService<EchoServiceClient>('EchoService');
    for (const text of ['after an unreadable reply batch', 'and again']) {
      const started = Date.now();
      const reply = await firstValueFrom(echo.echo({ text }, undefined, { timeoutMs: 2_000 }));
      expect(reply.text).toBe(text);
      console.log(`${type}: unreadable ${name} batch on the reply partition → skipped; call answered in ${Date.now() - started} ms`);
    }
  });
});
