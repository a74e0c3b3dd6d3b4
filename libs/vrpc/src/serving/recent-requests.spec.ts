import { describe, expect, it } from 'vitest';
import { RecentRequests } from './recent-requests.js';

/** A unit of work that finishes when told to. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => ((open = resolve), (fail = reject)));
  return { work: () => done, open, fail };
}

describe('RecentRequests', () => {
  it('runs an id once; a copy that arrives meanwhile is done with at once, without waiting for the first run', async () => {
    const recent = new RecentRequests();
    const first = gate();
    let copyRan = false;
    const original = recent.once('a', first.work);
    for (let i = 0; i < 100; i++) expect(await recent.once('a', () => ((copyRan = true), Promise.resolve()))).toBe(false);
    expect(copyRan).toBe(false);
    first.open();
    expect(await original).toBe(true);
  });

  it('drops a copy that arrives after the first run finished', async () => {
    const recent = new RecentRequests();
    expect(await recent.once('a', () => Promise.resolve())).toBe(true);
    let ran = false;
    expect(await recent.once('a', () => ((ran = true), Promise.resolve()))).toBe(false);
    expect(ran).toBe(false);
  });

  it('forgets a run that failed, so a redelivery runs again', async () => {
    const recent = new RecentRequests();
    const first = gate();
    const original = recent.once('a', first.work);
    first.fail(new Error('bus down'));
    await expect(original).rejects.toThrow('bus down');
    expect(await recent.once('a', () => Promise.resolve())).toBe(true);
  });

  it('always runs work without an id', async () => {
    const recent = new RecentRequests();
    let runs = 0;
    for (let i = 0; i < 2; i++) expect(await recent.once('', () => (runs++, Promise.resolve()))).toBe(true);
    expect(runs).toBe(2);
  });

  it('forgets the oldest ids beyond its capacity', async () => {
    const recent = new RecentRequests(2);
    for (const id of ['a', 'b', 'c']) await recent.once(id, () => Promise.resolve());
    expect(await recent.once('c', () => Promise.resolve())).toBe(false);
    expect(await recent.once('a', () => Promise.resolve())).toBe(true);
  });
  it('forgets the oldest ids beyond its bytes, so that long ids cannot hold much memory', async () => {
    const recent = new RecentRequests(10_000, 1024 * 1024);
    const id = (i: number) => `${i}-${'x'.repeat(100 * 1024)}`;
    for (let i = 0; i < 60; i++) await recent.once(id(i), () => Promise.resolve());
    expect(recent.sizeBytes).toBeLessThanOrEqual(1024 * 1024);
    expect(recent.size).toBe(5);
    expect(await recent.once(id(59), () => Promise.resolve())).toBe(false);
    expect(await recent.once(id(0), () => Promise.resolve())).toBe(true);
  });
});
