import { MemoryTaskStore, RedisTaskStore, type StoredTaskResult, type TaskStore } from '@vrpc/nestjs';
import { afterAll, describe, expect, it } from 'vitest';
import { uniqueName, waitFor } from './support/kafka.js';

const RESULT: StoredTaskResult = { payload: new Uint8Array([1, 2, 3]), statusCode: 0, errorMessage: '', metadata: { k: 'v' } };

/** The lease rules every task store keeps, checked on the memory store and on a real Redis. */
describe.each([
  ['memory', () => new MemoryTaskStore()],
  ['redis', () => new RedisTaskStore({ keyPrefix: `${uniqueName('stores')}:` })],
])('%s task store', (_name, create: () => TaskStore) => {
  const store = create();

  afterAll(() => store.close());

  it('grants a lease to one owner at a time, with a fencing token that grows', async () => {
    const first = await store.acquire('grant', 'a', 5_000);
    expect(first).toEqual({ acquired: true, token: 1 });
    expect(await store.acquire('grant', 'b', 5_000)).toEqual({ acquired: false });
    await store.release('grant', 'a');
    expect(await store.acquire('grant', 'b', 5_000)).toEqual({ acquired: true, token: 2 });
  });

  it('refuses the lease once a result is remembered, so a late waiter reads it instead of running again', async () => {
    expect((await store.acquire('late', 'holder', 5_000)).acquired).toBe(true);
    // A waiter read no result here, then the holder completed before the waiter asked for the lease.
    expect(await store.getResult('late')).toBeNull();
    expect(await store.complete('late', 'holder', RESULT, 60_000)).toBe(true);
    expect(await store.acquire('late', 'waiter', 5_000)).toEqual({ acquired: false });
    const remembered = await store.getResult('late');
    expect(remembered?.statusCode).toBe(0);
    expect(Array.from(remembered?.payload ?? [])).toEqual([1, 2, 3]);
    expect(remembered?.metadata).toEqual({ k: 'v' });
  });

  it('grants the lease again once the result has expired', async () => {
    expect((await store.acquire('ttl', 'a', 5_000)).acquired).toBe(true);
    expect(await store.complete('ttl', 'a', RESULT, 100)).toBe(true);
    await waitFor(async () => (await store.getResult('ttl')) === null, 2_000);
    expect(await store.acquire('ttl', 'b', 5_000)).toEqual({ acquired: true, token: 2 });
  });

  it('lets only the holder renew or complete, and not after its lease expired', async () => {
    expect((await store.acquire('expiry', 'a', 100)).acquired).toBe(true);
    expect(await store.renew('expiry', 'b', 100)).toBe(false);
    expect(await store.complete('expiry', 'b', RESULT, 60_000)).toBe(false);
    await waitFor(async () => (await store.acquire('expiry', 'b', 5_000)).acquired, 2_000);
    expect(await store.renew('expiry', 'a', 5_000)).toBe(false);
    expect(await store.complete('expiry', 'a', RESULT, 60_000)).toBe(false);
    expect(await store.getResult('expiry')).toBeNull();
  });
});
