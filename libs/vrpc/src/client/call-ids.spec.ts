import { describe, expect, it } from 'vitest';
import { CALL_ID_BYTES, CallIds } from './call-ids.js';

describe('CallIds', () => {
  it('makes ids of 16 random bytes in base64url, past the end of several pool fills', () => {
    const ids = new CallIds();
    const made = Array.from({ length: 1_000 }, () => ids.next());
    expect(new Set(made).size).toBe(made.length);
    for (const id of made) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(CALL_ID_BYTES);
    }
  });

  it('makes ids that share nothing with the ids before them: no common prefix, no counter', () => {
    const ids = new CallIds();
    const made = Array.from({ length: 2_000 }, () => Buffer.from(ids.next(), 'base64url'));
    // Bits that agree between consecutive ids: about half of 128 for random bytes, 128 for a counter's high bits.
    let agreeing = 0;
    for (let i = 1; i < made.length; i++) {
      for (let byte = 0; byte < CALL_ID_BYTES; byte++) agreeing += 8 - popCount(made[i][byte] ^ made[i - 1][byte]);
    }
    const mean = agreeing / (made.length - 1);
    expect(mean).toBeGreaterThan(60);
    expect(mean).toBeLessThan(68);
    // Two instances do not share a sequence either.
    expect(new CallIds().next()).not.toBe(new CallIds().next());
  });

  it('is cheap enough for every call (a sanity bound, not a benchmark)', () => {
    const ids = new CallIds();
    const started = process.hrtime.bigint();
    for (let i = 0; i < 100_000; i++) ids.next();
    const perIdNs = Number(process.hrtime.bigint() - started) / 100_000;
    expect(perIdNs).toBeLessThan(20_000);
  });
});

function popCount(byte: number): number {
  let bits = 0;
  for (let value = byte; value; value >>= 1) bits += value & 1;
  return bits;
}
