import zlib from 'node:zlib';
import kafkajs from 'kafkajs';
import { VrpcConfigError, type VrpcModuleOptions } from '@vrpc/nestjs';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EchoServiceClient } from './fixtures/echo.service.js';
import { isolatedOptions, startEchoApp, type EchoApp } from './support/echo-app.js';
import { echoRequest, produceForeign, type ForeignCodec } from './support/foreign-producer.js';
import { testBrokers, waitFor } from './support/kafka.js';
import { readTopic, type ReadMessage } from './support/topic-reader.js';
import { decodeResponse } from '@vrpc/nestjs/protocol';

/** Node's zlib writes zstd from Node 22.15. */
const canWriteZstd = () => typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';
/** kafkajs' codec registry: each factory returns one codec object, which a test can spy on. */
const codecs = kafkajs.CompressionCodecs as unknown as Record<number, () => { compress(encoder: unknown): Promise<Buffer> }>;
const CODECS: ForeignCodec[] = ['GZIP', 'Snappy', 'LZ4', 'ZSTD'];
const BUSES = ['kafka', 'platformatic-kafka'] as const;
// zstd is read on every Node: through Node's zlib (>= 22.15), else through fzstd (both buses).

describe.each(BUSES)('compression on the %s bus', (type) => {
  let options: VrpcModuleOptions;
  let server: EchoApp;
  let replies: { messages: ReadMessage[]; stop: () => Promise<void> };
  const repliesTopic = () => options.topics?.replies ?? '';

  beforeAll(async () => {
    options = isolatedOptions({ bus: { type, brokers: testBrokers() } });
    server = await startEchoApp(options);
    await server.client.connect();
    replies = await readTopic(repliesTopic());
  });

  afterAll(async () => {
    await replies.stop();
    await server.app.close();
  });

  // Replies are keyed by their call id (the default header set writes no headers on them).
  const answered = (id: string) => replies.messages.some((message) => message.key === id && decodeResponse(message.value).statusCode === 0);

  it.each(CODECS)('answers a request a producer that is not vRPC compressed with %s', async (codec) => {
    const request = echoRequest(`compressed ${codec}`, repliesTopic(), 0);
    await produceForeign([
      { topic: `${options.topics?.requestPrefix}vrpc.echo.EchoService`, partition: 1, value: request.value, compression: codec },
    ]);
    const produced = Date.now();
    await waitFor(() => answered(request.id), 10_000);
    console.log(`${type}: request compressed with ${codec} by a producer that is not vRPC → answered in ${Date.now() - produced} ms`);
  });
});

/** kafkajs' codec ids (its `CompressionTypes`) of what the option can write. */
const KAFKAJS_IDS = { gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

describe.each(BUSES)('the compression option of the %s bus', (type) => {
  const writable: (keyof typeof KAFKAJS_IDS)[] = ['gzip', 'snappy', 'lz4', ...(canWriteZstd() ? (['zstd'] as const) : [])];

  it.each(writable)('round-trips a call with compression %s', async (compression) => {
    const kafkajsId = KAFKAJS_IDS[compression];
    const options = isolatedOptions({ bus: { type, brokers: testBrokers(), compression } });
    const server = await startEchoApp(options);
    try {
      await server.client.connect();
      // The kafkajs bus's codecs are registered once connected; each factory returns one codec object.
      const codec = codecs[kafkajsId]();
      const compress = vi.spyOn(codec, 'compress');
      const echo = server.client.getService<EchoServiceClient>('EchoService');
      const reply = await firstValueFrom(echo.echo({ text: `squeezed ${compression}` }));
      expect(reply.text).toBe(`squeezed ${compression}`);
      // The request and its reply were both compressed (the platformatic bus writes with its own codecs).
      if (type === 'kafka') expect(compress.mock.calls.length).toBeGreaterThanOrEqual(2);
      compress.mockRestore();
    } finally {
      await server.app.close();
    }
  });

  it('refuses zstd where this Node cannot write it', () => {
    if (canWriteZstd()) return;
    expect(() => isolatedOptions({ bus: { type, brokers: testBrokers(), compression: 'zstd' } })).not.toThrow();
    return expect(startEchoApp(isolatedOptions({ bus: { type, brokers: testBrokers(), compression: 'zstd' } }))).rejects.toThrow(
      VrpcConfigError,
    );
  });
});
