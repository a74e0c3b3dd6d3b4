import { encodeRequest } from '@vrpc/nestjs/protocol';
import { echoPayload, reply, request, varint } from './wire.js';

/** mulberry32: a small seeded generator, so that a failing run can be replayed from its seed. */
export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  below(limit: number): number {
    return Math.floor(this.next() * limit);
  }

  bytes(length: number): Buffer {
    return Buffer.from(Array.from({ length }, () => this.below(256)));
  }
}

type Mutation = (bytes: Buffer, random: SeededRandom) => Buffer;

const flipBits: Mutation = (bytes, random) => {
  const copy = Buffer.from(bytes);
  for (let n = 1 + random.below(8); n > 0 && copy.length; n--) copy[random.below(copy.length)] ^= 1 << random.below(8);
  return copy;
};
const truncate: Mutation = (bytes, random) => bytes.subarray(0, random.below(bytes.length));
/** Repeats a slice (often a whole field, sometimes half of one). */
const duplicate: Mutation = (bytes, random) => {
  const from = random.below(bytes.length);
  const to = from + random.below(bytes.length - from + 1);
  return Buffer.concat([bytes.subarray(0, to), bytes.subarray(from, to), bytes.subarray(to)]);
};
/** Overwrites a byte with a varint length that lies (up to 2^28). */
const relength: Mutation = (bytes, random) => {
  const at = random.below(bytes.length);
  return Buffer.concat([bytes.subarray(0, at), varint(random.below(2 ** (7 * (1 + random.below(4))))), bytes.subarray(at + 1)]);
};
const insert: Mutation = (bytes, random) => {
  const at = random.below(bytes.length + 1);
  return Buffer.concat([bytes.subarray(0, at), random.bytes(1 + random.below(16)), bytes.subarray(at)]);
};
/** Appends an unknown or known field with a random wire type. */
const appendField: Mutation = (bytes, random) =>
  Buffer.concat([bytes, varint((random.below(40) << 3) | random.below(8)), random.bytes(random.below(12))]);

const MUTATIONS = [flipBits, truncate, duplicate, relength, insert, appendField];

function mutate(bytes: Buffer, random: SeededRandom): Buffer {
  for (let n = 1 + random.below(3); n > 0; n--) bytes = MUTATIONS[random.below(MUTATIONS.length)](bytes, random);
  return bytes;
}

/** One mutated reply envelope, for `id` (a pending call's) or for nobody. */
export function mutatedReply(random: SeededRandom, id: string): Buffer {
  return mutate(
    reply(random.next() < 0.5 ? id : `nobody-${random.below(1e9)}`, { metadata: random.next() < 0.3 ? { 'x-fuzz': 'yes' } : {} }),
    random,
  );
}

/**
 * One mutated request envelope: a well-formed one (one-way, or answered on `replyTo` with a
 * short deadline, so that no retry outlives the run) put through one to three mutations.
 */
export function mutatedEnvelope(random: SeededRandom, replyTo: string): Buffer {
  const answered = random.next() < 0.5;
  const bytes = encodeRequest(
    request({
      requestId: `fuzz-${random.seed}-${random.below(1e9)}`,
      payload: echoPayload('fuzz'),
      metadata: random.next() < 0.3 ? { 'x-fuzz': 'yes', trace: 'abc' } : {},
      taskKey: random.next() < 0.1 ? `task-${random.below(100)}` : '',
      oneWay: !answered,
      replyTo: answered ? replyTo : '',
      replyPartition: answered ? random.below(4) : undefined,
      deadline: Date.now() + 5_000,
    }),
  );
  return mutate(bytes, random);
}
