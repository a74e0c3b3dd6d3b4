import type { LeaseGrant, StoredTaskResult, TaskStore } from './task-store.interface.js';

interface Lease {
  owner: string;
  expiresAt: number;
}

/** How often expired leases, results and fencing tokens are dropped. */
const SWEEP_INTERVAL_MS = 1_000;

/**
 * Task leases and results in this process's memory: a singleton across one process only.
 * Records expire on their own (a sweep every second, on a timer that keeps no process alive),
 * so keys that are never asked for again cost nothing once their lease and result are over.
 */
export class MemoryTaskStore implements TaskStore {
  private readonly leases = new Map<string, Lease>();
  private readonly results = new Map<string, { result: StoredTaskResult; expiresAt: number }>();
  private readonly tokens = new Map<string, number>();
  /** The highest token forgotten: a key granted again starts above it, so its tokens still grow. */
  private forgottenToken = 0;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** Records held: leases, results and fencing tokens, expired ones not yet swept included. */
  get size(): number {
    return this.leases.size + this.results.size + this.tokens.size;
  }

  getResult(key: string): Promise<StoredTaskResult | null> {
    return Promise.resolve(this.remembered(key));
  }

  acquire(key: string, owner: string, leaseMs: number): Promise<LeaseGrant> {
    const lease = this.leases.get(key);
    if ((lease && lease.expiresAt > this.now()) || this.remembered(key)) return Promise.resolve({ acquired: false });
    const token = Math.max(this.tokens.get(key) ?? 0, this.forgottenToken) + 1;
    this.tokens.set(key, token);
    this.leases.set(key, { owner, expiresAt: this.now() + leaseMs });
    this.sweepSoon();
    return Promise.resolve({ acquired: true, token });
  }

  renew(key: string, owner: string, leaseMs: number): Promise<boolean> {
    const lease = this.held(key, owner);
    if (lease) lease.expiresAt = this.now() + leaseMs;
    return Promise.resolve(lease !== undefined);
  }

  complete(key: string, owner: string, result: StoredTaskResult, ttlMs: number): Promise<boolean> {
    if (!this.held(key, owner)) return Promise.resolve(false);
    this.leases.delete(key);
    if (ttlMs > 0) this.results.set(key, { result, expiresAt: this.now() + ttlMs });
    return Promise.resolve(true);
  }

  release(key: string, owner: string): Promise<void> {
    if (this.held(key, owner)) this.leases.delete(key);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.stopSweeping();
    return Promise.resolve();
  }

  private remembered(key: string): StoredTaskResult | null {
    const entry = this.results.get(key);
    if (entry && entry.expiresAt <= this.now()) this.results.delete(key);
    return entry && entry.expiresAt > this.now() ? entry.result : null;
  }

  private held(key: string, owner: string): Lease | undefined {
    const lease = this.leases.get(key);
    return lease && lease.owner === owner && lease.expiresAt > this.now() ? lease : undefined;
  }

  private sweepSoon(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  /** Drops expired leases and results, and the token of every key left with neither. */
  private sweep(): void {
    const now = this.now();
    for (const [key, lease] of this.leases) if (lease.expiresAt <= now) this.leases.delete(key);
    for (const [key, entry] of this.results) if (entry.expiresAt <= now) this.results.delete(key);
    for (const [key, token] of this.tokens) {
      if (this.leases.has(key) || this.results.has(key)) continue;
      this.tokens.delete(key);
      if (token > this.forgottenToken) this.forgottenToken = token;
    }
    if (this.tokens.size === 0) this.stopSweeping();
  }

  private stopSweeping(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
