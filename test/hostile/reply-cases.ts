import { randomUUID } from 'node:crypto';
import { waitFor } from '../support/wait-for.js';
import { lz4Frame, snappyXerial, CODEC_IDS } from './foreign-codecs.js';
import { type CaseContext, type HostileCase, seededBytes } from './hostile-case.js';
import { RawFields, reply } from './wire.js';

/** How long the handler of a pending call runs: a bad reply must settle the call well before. */
const PENDING_MS = 8_000;

/** Starts a call that stays pending (its handler is slow) and resolves with its id once the server runs it. */
async function pendingCall(context: CaseContext) {
  const text = `pending-${randomUUID()}`;
  // Reading the reply's metadata is part of settling the call.
  const outcome = context.hostile.call({ text, delayMs: PENDING_MS }, 20_000, undefined, { onResponseMetadata: () => undefined });
  await waitFor(() => context.hostile.runs.find(text) !== undefined, 5_000);
  const run = context.hostile.runs.find(text);
  return { id: run?.id ?? '', partition: run?.replyPartition ?? context.partition, outcome };
}

/** A reply that hits a pending call: the call must fail with a clear error within 2 s. */
function hitsPendingCall(
  name: string,
  bad: (id: string) => { value: Buffer; headers?: Record<string, string> },
  mayAnswer = false,
): HostileCase {
  return {
    name,
    on: 'reply',
    async send(context) {
      const pending = await pendingCall(context);
      const written = Date.now();
      await context.hostile.attacker.send({
        topic: context.hostile.replyTopic,
        messages: [{ ...bad(pending.id), key: pending.id, partition: pending.partition }],
      });
      const outcome = await pending.outcome;
      const ms = Date.now() - written;
      context.note(
        `pending call: ${outcome.error ? `code ${outcome.error.code}` : `OK ${JSON.stringify(outcome.reply).slice(0, 60)}`} after ${ms} ms`,
      );
      const { error } = outcome;
      if (ms > 2_000) context.fail(`pending call settled after ${ms} ms (expected within 2 s)`);
      else if (!error && !mayAnswer)
        context.fail(`pending call succeeded with ${JSON.stringify(outcome.reply).slice(0, 60)} (expected a clear error)`);
      else if (error && (typeof error.code !== 'number' || !error.details))
        context.fail(`pending call failed without a gRPC status: ${(error.message ?? JSON.stringify(error)).slice(0, 100)}`);
    },
  };
}

const forged = () => reply(`unknown-${randomUUID()}`);

/** Cases on the client's own reply partition. */
export const REPLY_CASES: HostileCase[] = [
  { name: 'reply: empty value', on: 'reply', send: (context) => context.write([{ value: Buffer.alloc(0) }]) },
  { name: 'reply: random bytes', on: 'reply', send: (context) => context.write([{ value: seededBytes(2_048, 3) }]) },
  { name: 'reply: unknown id', on: 'reply', send: (context) => context.write([{ value: forged(), headers: { 'vrpc-id': 'nobody' } }]) },
  // Invalid entries may be dropped (item 7): an answer is as good as a clear error, if prompt.
  hitsPendingCall(
    'reply: metadata gRPC rejects, for a pending call',
    (id) => ({ value: reply(id, { metadata: { 'bad key': 'v', 'x-name': 'non-ASCII ☃' } }) }),
    true,
  ),
  hitsPendingCall("reply: undecodable envelope with a pending call's vrpc-id", (id) => ({
    value: new RawFields()
      .tag(1, 2)
      .raw(Buffer.from([0xff, 0xff, 0x7f]))
      .finish(),
    headers: { 'vrpc-id': id },
  })),
  // Wire type 7 exists in no protobuf: protobufjs refuses it (it reads known fields unchecked).
  hitsPendingCall('reply: undecodable payload for a pending call', (id) => ({
    value: reply(id, {
      payload: new RawFields()
        .tag(15, 7)
        .raw(Buffer.from([0x01]))
        .finish(),
    }),
  })),
];

/** Compressed reply batches: after the other reply cases, since today one stalls the inbox. */
export const COMPRESSED_REPLY_CASES: HostileCase[] = [
  {
    name: 'reply: Snappy-compressed batch',
    on: 'reply',
    send: (context) => context.write([{ value: forged() }], { id: CODEC_IDS.snappy, compress: snappyXerial }),
  },
  {
    name: 'reply: LZ4-compressed batch',
    on: 'reply',
    send: (context) => context.write([{ value: forged() }], { id: CODEC_IDS.lz4, compress: lz4Frame }),
  },
];
