import { afterEach, describe, expect, it, vi } from 'vitest';
import { RatedLog } from './rated-log.js';

describe('RatedLog', () => {
  afterEach(() => vi.useRealTimers());

  it('writes the first event at once and the rest of the interval as one counted line', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const log = new RatedLog((line) => lines.push(line), 1_000);
    for (let i = 0; i < 1_000; i++) log.note('copy', `skipped a copy of id-${i}`);
    expect(lines).toEqual(['skipped a copy of id-0']);
    vi.advanceTimersByTime(1_000);
    expect(lines).toEqual(['skipped a copy of id-0', '999 more in 1 s, the last: skipped a copy of id-999']);
    log.note('copy', 'skipped a copy of id-1000');
    expect(lines).toHaveLength(3);
  });

  it('counts each kind apart and writes what is left at close', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const log = new RatedLog((line) => lines.push(line), 1_000);
    log.note('a', 'a1');
    log.note('b', 'b1');
    log.note('a', 'a2');
    log.close();
    expect(lines).toEqual(['a1', 'b1', '1 more in 1 s, the last: a2']);
  });
});
