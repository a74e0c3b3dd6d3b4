import type { IHeaders } from 'kafkajs';
import { type HostileScope } from './hostile-scope.js';
import { sendCompressed } from './foreign-codecs.js';

/** A message of a case, written to the case's partition. */
export interface RawMessage {
  value: Buffer | null;
  key?: Buffer | string | null;
  headers?: IHeaders;
}

/** What a case's `send` can use. */
export interface CaseContext {
  readonly hostile: HostileScope;
  /** The partition the case writes to (a request partition, or the client's reply partition). */
  readonly partition: number;
  /** Writes `messages` to the case's partition (compressed when `codec` is given). */
  write(messages: RawMessage[], codec?: { id: number; compress: (data: Buffer) => Buffer }): Promise<void>;
  /** Notes a failed expectation of the case itself (beyond the good call and the commit). */
  fail(reason: string): void;
  /** Notes what the case saw, for the table. */
  note(text: string): void;
  /** Expects the reply to `id` on the reply topic within 2 s to carry gRPC status `code`. */
  expectReply(id: string, code: number): Promise<void>;
  /** Expects a dead letter of the case's partition within 2 s whose reason contains `reason`. */
  expectDeadLetter(reason: string): Promise<void>;
}

/** One row of the hostile-input table. */
export interface HostileCase {
  name: string;
  /** `request`: a request partition; `reply`: the client's reply partition. */
  on: 'request' | 'reply';
  /** Writes the hostile messages; a string return skips the case with that reason. */
  send(context: CaseContext): Promise<void | string>;
}

/** The `write` of a context: to `topic`, partition `partition`. */
export function writer(hostile: HostileScope, topic: string, partition: number): CaseContext['write'] {
  return async (messages, codec) => {
    const record = { topic, acks: -1, messages: messages.map((message) => ({ ...message, partition })) };
    if (codec) await sendCompressed(hostile.attacker, record, codec.id, codec.compress);
    else await hostile.attacker.send(record);
  };
}

/**
 * Garbage that the broker takes (its default max is 1,048,588 bytes a batch, some 80 of them
 * batch and record framing) but whose dead-letter copy, with its reason headers, it refuses.
 */
export const GARBAGE_BYTES = 1_048_480;

/** Random bytes of a seeded generator (mulberry32): reproducible garbage. */
export function seededBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    bytes[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return bytes;
}
