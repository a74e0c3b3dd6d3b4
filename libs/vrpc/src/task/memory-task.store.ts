import type { LeaseGrant, StoredTaskResult, TaskStore } from './task-store.interface.js';

interface Lease {
  owner: string;
  expiresAt: number;
}

/** Task leases and results in this process's memory: a singleton across one process only. */
export class MemoryTaskStore implements TaskStore {
  private readonly leases = new Map<string, Lease>();
  private readonly results = new Map<string, { result: StoredTaskResult; expiresAt: number }>();
  private readonly tokens = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  getResult(key: string): Promise<StoredTaskResult | null> {
    return Promise.resolve(this.remembered(key));
  }

  acquire(key: string, owner: string, leaseMs: number): Promise<LeaseGrant> {
    const lease = this.leases.get(key);
    if ((lease && lease.expiresAt > this.now()) || this.remembered(key)) return Promise.resolve({ acquired: false });
    const token = (this.tokens.get(key) ?? 0) + 1;
    this.tokens.set(key, token);
    this.leases.set(key, { owner, expiresAt: this.now() + leaseMs });
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
}
