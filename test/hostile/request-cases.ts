import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { encodeRequest, type RequestEnvelope } from '@vrpc/nestjs/protocol';
import { waitFor } from '../support/wait-for.js';
import { type CaseContext, GARBAGE_BYTES, type HostileCase, seededBytes } from './hostile-case.js';
import { ECHO_SERVICE, echoPayload, encodeRequestEnvelope, RawFields, request } from './wire.js';

const KB = 1024;
const FORGED = '[Nest] 1  - 01/01/2026, 0:00:00 AM     LOG [VrpcServer] forged';
const big = (size: number, char = 'a') => char.repeat(size);

/** A request to the real reply topic, so that its reply (or its absence) can be seen. */
const answered = (context: CaseContext, changes: Partial<RequestEnvelope>) =>
  request({ replyTo: context.hostile.watchTopic, replyPartition: 0, oneWay: false, ...changes });

/** A request with `changes` that must be answered with `code`. */
function expecting(name: string, code: number, changes: () => Partial<RequestEnvelope>): HostileCase {
  return {
    name,
    on: 'request',
    async send(context) {
      const envelope = answered(context, changes());
      await context.write([{ key: envelope.requestId.slice(0, 100), value: encodeRequest(envelope) }]);
      await context.expectReply(envelope.requestId, code);
    },
  };
}

/** Messages written as they are, nothing expected of them but the good call and the commit. */
function raw(name: string, values: () => Buffer | null, key?: () => Buffer | string): HostileCase {
  return { name, on: 'request', send: (context) => context.write([{ value: values(), key: key?.() ?? 'raw' }]) };
}

const metadataOf = (entries: number, valueSize = 1) =>
  Object.fromEntries(Array.from({ length: entries }, (_, i) => [`k${i}`, big(valueSize)]));

/** Request-partition cases that need no codec (see codec-cases.ts for those that do). */
export const REQUEST_CASES: HostileCase[] = [
  raw('empty value', () => Buffer.alloc(0)),
  raw('null value (tombstone)', () => null),
  raw('random bytes (1 KB)', () => seededBytes(KB, 1)),
  raw('truncated envelope', () => encodeRequestEnvelope({ payload: echoPayload(big(200)) }).subarray(0, 150)),
  raw('wrong wire type (field 1 as varint)', () => new RawFields().varint(1, 7).string(2, ECHO_SERVICE).string(3, 'Echo').finish()),
  raw('length prefix past the end', () =>
    new RawFields()
      .tag(1, 2)
      .raw(Buffer.from([0xff, 0xff, 0x03]))
      .raw(Buffer.from('abc'))
      .finish(),
  ),
  raw('missing id', () => new RawFields().string(2, ECHO_SERVICE).string(3, 'Echo').string(16, 'x').finish()),
  raw('missing service', () => new RawFields().string(1, randomUUID()).string(3, 'Echo').finish()),
  raw('missing method', () => new RawFields().string(1, randomUUID()).string(2, ECHO_SERVICE).finish()),
  {
    // Too long to be answered (its caller would need it back): set aside, never remembered.
    name: '512 KB request id',
    on: 'request',
    async send(context) {
      const envelope = answered(context, { requestId: big(512 * KB, 'i') });
      await context.write([{ key: 'long-id', value: encodeRequest(envelope) }]);
      await context.expectDeadLetter('request_id is over its limit of 256 characters');
    },
  },
  {
    // Its reply cannot be published (a missing topic, a short deadline): the server logs the id.
    name: 'id with a newline (forged log line)',
    on: 'request',
    async send(context) {
      const requestId = `nl-${randomUUID()}\n${FORGED}`;
      const replyTo = `hostile.missing.${randomUUID()}`;
      await context.write([
        { value: encodeRequest(request({ requestId, replyTo, replyPartition: 0, oneWay: false, deadline: Date.now() + 1_000 })) },
      ]);
      const server = context.hostile.server;
      await waitFor(() => server.lines.some((line) => line.includes(requestId.slice(0, 39))), 3_000).catch(() => undefined);
      if (server.lines.some((line) => line.startsWith(FORGED))) context.fail('the id forged a log line');
    },
  },
  {
    name: '1,000 copies of one request id (log lines)',
    on: 'request',
    async send(context) {
      const requestId = `copies-${randomUUID()}`;
      const value = encodeRequest(request({ requestId }));
      await context.write(Array.from({ length: 1_000 }, () => ({ key: requestId, value })));
      const offsets = await context.hostile.admin.fetchTopicOffsets(context.hostile.requestTopic);
      const high = Number(offsets.find((p) => p.partition === context.partition)?.high ?? 0);
      // Every copy handled (committed past), then the lines that name the id are counted.
      await context.hostile.committedPast(context.partition, high - 1, 3_000);
      const mentions = context.hostile.server.lines.filter((line) => line.includes(requestId)).length;
      context.note(`${mentions} log lines name the id`);
      if (mentions > 10) context.fail(`${mentions} log lines name the id (expected a count, once per interval)`);
    },
  },
  expecting('id with ANSI escapes', status.OK, () => ({ requestId: `ansi-${randomUUID()}\u001b[2J\u001b[31mred` })),
  expecting('id with NUL', status.OK, () => ({ requestId: `nul-${randomUUID()}\u0000after` })),
  raw('id with a lone surrogate (invalid UTF-8)', () =>
    new RawFields()
      .bytes(1, Buffer.from([0x6c, 0x73, 0xed, 0xa0, 0x80]))
      .string(2, ECHO_SERVICE)
      .string(3, 'Echo')
      .bytes(4, echoPayload('x'))
      .finish(),
  ),
  expecting('512 KB service name', status.INVALID_ARGUMENT, () => ({ serviceName: big(512 * KB, 's') })),
  expecting('512 KB method name', status.INVALID_ARGUMENT, () => ({ methodName: big(512 * KB, 'm') })),
  expecting('unknown service', status.UNIMPLEMENTED, () => ({ serviceName: 'vrpc.echo.NoSuchService' })),
  expecting('unknown method', status.UNIMPLEMENTED, () => ({ methodName: 'NoSuchMethod' })),
  expecting('512 KB task key', status.INVALID_ARGUMENT, () => ({ taskKey: big(512 * KB, 't') })),
  expecting('metadata with 10,000 entries', status.INVALID_ARGUMENT, () => ({ metadata: metadataOf(10_000) })),
  expecting('metadata with a 1 MB value', status.INVALID_ARGUMENT, () => ({ metadata: { huge: big(1_000_000) } })),
  expecting('metadata key with a space', status.INVALID_ARGUMENT, () => ({ metadata: { 'bad key': 'v' } })),
  expecting('metadata key in upper case', status.OK, () => ({ metadata: { 'X-Upper': 'v' } })),
  expecting('metadata value not ASCII', status.INVALID_ARGUMENT, () => ({ metadata: { 'x-name': 'héllo wörld ☃' } })),
  expecting('binary -bin value (not base64)', status.OK, () => ({ metadata: { 'x-data-bin': '\u0000\u00ff\u0001 not base64 !!' } })),
  {
    name: 'metadata key repeated (two map entries)',
    on: 'request',
    async send(context) {
      const id = `rep-${randomUUID()}`;
      const value = new RawFields().string(1, id).string(2, ECHO_SERVICE).string(3, 'Echo').bytes(4, echoPayload('rep'));
      value
        .entry('x-twice', 'one')
        .entry('x-twice', 'two')
        .string(16, context.hostile.watchTopic)
        .varint(17, 0)
        .varint(18, Date.now() + 30_000);
      await context.write([{ key: id, value: value.finish() }]);
      await context.expectReply(id, status.OK);
    },
  },
  raw('reply_to a missing topic, deadline 10 min out', () =>
    encodeRequestEnvelope({ replyTo: `hostile.missing.${randomUUID()}`, replyPartition: 0, oneWay: false, deadline: Date.now() + 600_000 }),
  ),
  raw('reply_to an invalid topic name', () =>
    encodeRequestEnvelope({ replyTo: 'not a topic/../!!', replyPartition: 0, oneWay: false, deadline: Date.now() + 600_000 }),
  ),
  {
    name: 'reply_partition 9999',
    on: 'request',
    send: (context) =>
      context.write([
        {
          value: encodeRequestEnvelope({
            replyTo: context.hostile.replyTopic,
            replyPartition: 9999,
            oneWay: false,
            deadline: Date.now() + 600_000,
          }),
        },
      ]),
  },
  {
    name: 'reply_partition -1',
    on: 'request',
    send: (context) =>
      context.write([
        {
          value: encodeRequestEnvelope({
            replyTo: context.hostile.replyTopic,
            replyPartition: -1,
            oneWay: false,
            deadline: Date.now() + 600_000,
          }),
        },
      ]),
  },
  raw('deadline already passed', () => encodeRequestEnvelope({ deadline: Date.now() - 60_000 })),
  expecting('deadline 100 years out', status.OK, () => ({ deadline: Date.now() + 100 * 365 * 24 * 3_600_000 })),
  raw('timeout_ms negative (no deadline field)', () => encodeRequestEnvelope({ timeoutMs: -5_000, deadline: 0 })),
  expecting('attempt negative', status.OK, () => ({ attempt: -7 })),
  raw('1 MB garbage (dead-letter copy over the limit)', () => seededBytes(GARBAGE_BYTES, 2)),
  raw(
    'key of 1 MB',
    () => encodeRequestEnvelope(),
    () => big(1_000_000, 'k'),
  ),
  {
    name: 'headers with huge values',
    on: 'request',
    send: (context) =>
      context.write([{ value: encodeRequestEnvelope(), headers: { 'vrpc-id': big(300 * KB, 'h'), 'x-huge': big(600 * KB, 'y') } }]),
  },
  {
    name: 'vRPC header claiming another id',
    on: 'request',
    async send(context) {
      const envelope = answered(context, {});
      await context.write([
        {
          value: encodeRequest(envelope),
          headers: { 'vrpc-id': `someone-else-${randomUUID()}`, 'vrpc-service': 'x.Y', 'vrpc-method': 'Z' },
        },
      ]);
      await context.expectReply(envelope.requestId, status.OK);
    },
  },
];
