import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import kafkajs from 'kafkajs';
import { encodeRequest } from '@vrpc/nestjs/protocol';
import { CODEC_IDS, lz4Frame, snappyRaw, snappyXerial, zstdRawBlocks } from './foreign-codecs.js';
import type { CaseContext, HostileCase } from './hostile-case.js';
import { echoPayload, goStyleRequest, request } from './wire.js';

const { CompressionTypes, ConfigResourceTypes } = kafkajs;

/** How long a slow handler of these cases runs: the good call must not wait for it. */
export const SLOW_MS = 4_000;

const answered = (context: CaseContext, text = 'hostile') =>
  request({ replyTo: context.hostile.watchTopic, replyPartition: 0, oneWay: false, payload: echoPayload(text) });

/** Whether kafkajs' `error` (or the protocol error it wraps) is the broker's MESSAGE_TOO_LARGE. */
const tooLarge = (error: unknown): boolean => {
  const { type, cause } = error as { type?: string; cause?: unknown };
  return type === 'MESSAGE_TOO_LARGE' || (cause !== undefined && cause !== error && tooLarge(cause));
};

/** A client call pinned to the case's partition that must fail with `code` within 2 s. */
function clientRefusal(name: string, code: number, text: string): HostileCase {
  return {
    name,
    on: 'request',
    async send(context) {
      const outcome = await context.hostile.call({ text }, 10_000, context.partition);
      context.note(`${outcome.error?.code ?? 'OK'} in ${outcome.ms} ms`);
      if (outcome.error?.code !== code || outcome.ms > 2_000)
        context.fail(
          `expected ${status[code]} within 2 s, got ${outcome.error ? `code ${outcome.error.code}` : 'a reply'} after ${outcome.ms} ms`,
        );
    },
  };
}

/** A good request compressed by a producer that is not vRPC; it must be answered. */
function compressed(name: string, codec: number, compress?: (data: Buffer) => Buffer): HostileCase {
  return {
    name,
    on: 'request',
    async send(context) {
      const envelope = answered(context, name);
      const message = { key: envelope.requestId, value: encodeRequest(envelope) };
      if (compress) await context.write([message, message], { id: codec, compress });
      else
        await context.hostile.attacker.send({
          topic: context.hostile.requestTopic,
          compression: codec,
          messages: [{ ...message, partition: context.partition }],
        });
      await context.expectReply(envelope.requestId, status.OK);
    },
  };
}

/** Starvation, sizes beyond the broker's limit, a Go-shaped producer. */
export const LOAD_CASES: HostileCase[] = [
  clientRefusal('client request over the max message size', status.RESOURCE_EXHAUSTED, 'r'.repeat(1_100_000)),
  clientRefusal('reply over the max message size (echo of 1.2 MB)', status.RESOURCE_EXHAUSTED, 'big:1200000'),
  {
    name: 'request over the default max (topic max raised to 3 MB)',
    on: 'request',
    async send(context) {
      const { admin, requestTopic } = context.hostile;
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: requestTopic, configEntries: [{ name: 'max.message.bytes', value: '3000000' }] },
        ],
      });
      const envelope = request({
        replyTo: context.hostile.watchTopic,
        replyPartition: 0,
        oneWay: false,
        metadata: { pad: 'p'.repeat(1_200_000) },
      });
      // The controller acknowledges the change before the partition's leader applies it: until it
      // does, the broker refuses the record as too large. Bounded by 10 s, on the broker's answer.
      const message = { key: envelope.requestId, value: encodeRequest(envelope) };
      const until = Date.now() + 10_000;
      for (;;) {
        try {
          await context.write([message]);
          break;
        } catch (error: unknown) {
          if (!tooLarge(error) || Date.now() > until) throw error;
        }
      }
      await context.expectReply(envelope.requestId, status.INVALID_ARGUMENT);
    },
  },
  {
    name: '100 copies of one slow request id',
    on: 'request',
    send: (context) => {
      const value = encodeRequest(request({ requestId: `slow-${randomUUID()}`, payload: echoPayload('slow copies', SLOW_MS) }));
      return context.write(Array.from({ length: 100 }, () => ({ key: 'copies', value })));
    },
  },
  {
    name: '1 slow request + 70 messages sharing its key',
    on: 'request',
    send: (context) =>
      context.write(
        Array.from({ length: 71 }, (_, i) => ({
          key: 'shared',
          value: encodeRequest(request({ payload: echoPayload('shared key', i === 0 ? SLOW_MS : 0) })),
        })),
      ),
  },
  {
    name: 'Go-style request (fields 1-8, no headers, key = timestamp)',
    on: 'request',
    async send(context) {
      const id = `go-${randomUUID()}`;
      await context.write([{ key: String(Date.now()), value: goStyleRequest(id, echoPayload('go'), 30_000) }]);
      await context.expectReply(id, status.OK);
    },
  },
];

/** Compressed request batches: last, since today one of them stalls the whole server. */
export const CODEC_CASES: HostileCase[] = [
  compressed('gzip batch (kafkajs)', CompressionTypes.GZIP),
  compressed('Snappy batch, xerial framing (Java, kafka-go)', CODEC_IDS.snappy, snappyXerial),
  compressed('Snappy batch, raw (librdkafka)', CODEC_IDS.snappy, snappyRaw),
  compressed('LZ4 batch', CODEC_IDS.lz4, lz4Frame),
  compressed('ZSTD batch', CODEC_IDS.zstd, zstdRawBlocks),
  {
    name: 'batch with an unknown codec id (5)',
    on: 'request',
    async send(context) {
      try {
        await context.write([{ value: encodeRequest(answered(context)) }], { id: CODEC_IDS.unknown, compress: (data) => data });
      } catch (error: unknown) {
        return `the broker refuses codec 5 (${(error as Error).message})`;
      }
    },
  },
];
