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
    const original = recent.once('a', 'd', first.work);
    for (let i = 0; i < 100; i++) expect(await recent.once('a', 'd', () => ((copyRan = true), Promise.resolve()))).toBe('copy');
    expect(copyRan).toBe(false);
    first.open();
    expect(await original).toBe('ran');
  });

  it('drops a copy that arrives after the first run finished', async () => {
    const recent = new RecentRequests();
    expect(await recent.once('a', 'd', () => Promise.resolve())).toBe('ran');
    let ran = false;
    expect(await recent.once('a', 'd', () => ((ran = true), Promise.resolve()))).toBe('copy');
    expect(ran).toBe(false);
  });

  it('forgets a run that failed, so a redelivery runs again', async () => {
    const recent = new RecentRequests();
    const first = gate();
    const original = recent.once('a', 'd', first.work);
    first.fail(new Error('bus down'));
    await expect(original).rejects.toThrow('bus down');
    expect(await recent.once('a', 'd', () => Promise.resolve())).toBe('ran');
  });

  it('always runs work without an id', async () => {
    const recent = new RecentRequests();
    let runs = 0;
    for (let i = 0; i < 2; i++) expect(await recent.once('', 'd', () => (runs++, Promise.resolve()))).toBe('ran');
    expect(runs).toBe(2);
  });

  it('forgets the oldest ids beyond its capacity', async () => {
    const recent = new RecentRequests(2);
    for (const id of ['a', 'b', 'c']) await recent.once(id, 'd', () => Promise.resolve());
    expect(await recent.once('c', 'd', () => Promise.resolve())).toBe('copy');
    expect(await recent.once('a', 'd', () => Promise.resolve())).toBe('ran');
  });
  it('forgets the oldest ids beyond its bytes, so that long ids cannot hold much memory', async () => {
    const recent = new RecentRequests(10_000, 1024 * 1024);
    const id = (i: number) => `${i}-${'x'.repeat(100 * 1024)}`;
    for (let i = 0; i < 60; i++) await recent.once(id(i), 'd', () => Promise.resolve());
    expect(recent.sizeBytes).toBeLessThanOrEqual(1024 * 1024);
    expect(recent.size).toBe(5);
    expect(await recent.once(id(59), 'd', () => Promise.resolve())).toBe('copy');
    expect(await recent.once(id(0), 'd', () => Promise.resolve())).toBe('ran');
  });

  it('runs a known id with other content: a request written first with that id does not suppress the real one', async () => {
    const recent = new RecentRequests();
    const runs: string[] = [];
    expect(await recent.once('a', 'forged', () => (runs.push('forged'), Promise.resolve()))).toBe('ran');
    expect(await recent.once('a', 'genuine', () => (runs.push('genuine'), Promise.resolve()))).toBe('other-content');
    // Both contents are remembered: a copy of either is still a copy.
    expect(await recent.once('a', 'genuine', () => (runs.push('again'), Promise.resolve()))).toBe('copy');
    expect(await recent.once('a', 'forged', () => (runs.push('again'), Promise.resolve()))).toBe('copy');
    expect(runs).toEqual(['forged', 'genuine']);
    expect(recent.size).toBe(1);
  });

  it('forgets only the content whose run failed', async () => {
    const recent = new RecentRequests();
    await recent.once('a', 'one', () => Promise.resolve());
    await expect(recent.once('a', 'two', () => Promise.reject(new Error('bus down')))).rejects.toThrow('bus down');
    expect(await recent.once('a', 'one', () => Promise.resolve())).toBe('copy');
    expect(await recent.once('a', 'two', () => Promise.resolve())).toBe('other-content');
  });

  it('keeps its byte bound when one id comes with ever new contents', async () => {
    const recent = new RecentRequests(10_000, 64 * 1024);
    for (let i = 0; i < 10_000; i++)
      await recent.once(i % 2 ? 'same' : `id-${i}`, `digest-${i}-${'x'.repeat(40)}`, () => Promise.resolve());
    expect(recent.sizeBytes).toBeLessThanOrEqual(64 * 1024);
    expect(recent.sizeBytes).toBeGreaterThan(0);
  });
});
