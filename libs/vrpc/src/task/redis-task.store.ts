import { decodeResponse, encodeResponse } from '../protocol/envelope.js';
import { ACQUIRE, COMPLETE, RELEASE, RENEW } from './redis-task.scripts.js';
import type { LeaseGrant, StoredTaskResult, TaskStore } from './task-store.interface.js';
import { loadOptionalPackage } from '../utils/optional-package.js';

/** Settings of the Redis task store. */
export interface RedisTaskStoreOptions {
  /** Redis URL (default `redis://127.0.0.1:6379`). */
  url?: string;
  /** Prefix of every key this store writes (default `vrpc:task:`). */
  keyPrefix?: string;
}

/** The part of an ioredis client this store uses (ioredis stays an optional dependency). */
interface RedisClient {
  eval(script: string, numKeys: number, ...args: (string | number | Buffer)[]): Promise<unknown>;
  getBuffer(key: string): Promise<Buffer | null>;
  quit(): Promise<unknown>;
}

/** Task leases and results in Redis: a singleton across every instance that shares it. */
export class RedisTaskStore implements TaskStore {
  private client: Promise<RedisClient> | undefined;
  private readonly prefix: string;

  constructor(private readonly options: RedisTaskStoreOptions = {}) {
    this.prefix = options.keyPrefix ?? 'vrpc:task:';
  }

  async getResult(key: string): Promise<StoredTaskResult | null> {
    const bytes = await (await this.redis()).getBuffer(this.key('result', key));
    return bytes ? decodeResponse(bytes) : null;
  }

  async acquire(key: string, owner: string, leaseMs: number): Promise<LeaseGrant> {
    const token = Number(
      await (await this.redis()).eval(ACQUIRE, 3, this.key('lease', key), this.key('fence', key), this.key('result', key), owner, leaseMs),
    );
    return token > 0 ? { acquired: true, token } : { acquired: false };
  }

  async renew(key: string, owner: string, leaseMs: number): Promise<boolean> {
    return Number(await (await this.redis()).eval(RENEW, 1, this.key('lease', key), owner, leaseMs)) === 1;
  }

  async complete(key: string, owner: string, result: StoredTaskResult, ttlMs: number): Promise<boolean> {
    const value = encodeResponse({ requestId: key, timestamp: Date.now(), ...result });
    const done = await (await this.redis()).eval(COMPLETE, 2, this.key('lease', key), this.key('result', key), owner, value, ttlMs);
    return Number(done) === 1;
  }

  async release(key: string, owner: string): Promise<void> {
    await (await this.redis()).eval(RELEASE, 1, this.key('lease', key), owner);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await (await client).quit();
  }

  private key(kind: 'lease' | 'result' | 'fence', key: string): string {
    return `${this.prefix}${kind}:${key}`;
  }

  private redis(): Promise<RedisClient> {
    this.client ??= loadOptionalPackage('the Redis task store', ['ioredis'], () => import('ioredis')).then(
      ({ Redis }) => new Redis(this.options.url ?? 'redis://127.0.0.1:6379', { lazyConnect: false, maxRetriesPerRequest: 3 }),
    );
    return this.client;
  }
}
