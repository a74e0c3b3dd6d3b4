import type { MetadataEntry } from '../protocol/envelope.js';

/** A finished task's reply, kept for its TTL. */
export interface StoredTaskResult {
  payload: Uint8Array;
  statusCode: number;
  errorMessage: string;
  metadata: Record<string, string>;
  /** The metadata exactly, where `metadata` cannot carry it (as in the reply envelope). */
  metadataEntries?: MetadataEntry[];
}

/** The outcome of asking for a task's lease. */
export type LeaseGrant = { acquired: true; token: number } | { acquired: false };

/**
 * Where task leases and results live. In memory for one process; Redis for a cluster. Every
 * operation on a lease names its owner, so a holder whose lease expired cannot act on it.
 */
export interface TaskStore {
  /** The remembered result of `key`, if any. */
  getResult(key: string): Promise<StoredTaskResult | null>;
  /**
   * Takes the lease of `key` for `leaseMs` if nobody holds it and no result is remembered (so a
   * caller that read no result just before the holder completed does not run the task again);
   * a grant carries a fencing token that grows with every grant. Atomic.
   */
  acquire(key: string, owner: string, leaseMs: number): Promise<LeaseGrant>;
  /** Extends a lease still held by `owner`; false when it was lost. */
  renew(key: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Records the result for `ttlMs` and releases the lease, if `owner` still holds it; false otherwise. */
  complete(key: string, owner: string, result: StoredTaskResult, ttlMs: number): Promise<boolean>;
  /** Releases the lease without a result (the execution could not finish). */
  release(key: string, owner: string): Promise<void>;
  close(): Promise<void>;
}
