import { randomFillSync } from 'node:crypto';

/** Random bytes in one call id: 128 bits, so that no id can be guessed or derived from another. */
export const CALL_ID_BYTES = 16;
/** Ids drawn from one fill of the pool: one system call serves this many calls. */
const POOL_IDS = 256;

/**
 * Makes call ids of `CALL_ID_BYTES` random bytes each, in base64url (22 characters). Nothing
 * in an id says which client made it or how many calls came before: an attacker who reads one
 * (a reply's key, or its `vrpc-id` header) learns nothing about the next. The bytes come from the
 * system's CSPRNG, filled into a pooled buffer, as every call needs one.
 */
export class CallIds {
  private readonly pool = Buffer.allocUnsafe(CALL_ID_BYTES * POOL_IDS);
  private offset = this.pool.length;

  /** A fresh id. */
  next(): string {
    if (this.offset === this.pool.length) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const start = this.offset;
    this.offset += CALL_ID_BYTES;
    return this.pool.toString('base64url', start, this.offset);
  }
}
