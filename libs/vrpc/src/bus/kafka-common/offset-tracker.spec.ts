import { describe, expect, it } from 'vitest';
import { OffsetTracker } from './offset-tracker.js';

describe('OffsetTracker', () => {
  it('recognises offsets that run or ran, until the commit passes them, and after', () => {
    const tracker = new OffsetTracker();
    for (const offset of ['0', '1', '2', '3']) expect(tracker.start(offset)).toBe(true);
    tracker.finish('1');
    tracker.finish('3');
    for (const offset of ['0', '1', '2', '3']) expect(tracker.start(offset)).toBe(false);
    expect(tracker.start('4')).toBe(true);
    tracker.finish('0');
    expect(tracker.takeCommittable()).toBe('2');
    // Re-read from an older commit (one refused during a rebalance): answered already.
    expect(tracker.start('0')).toBe(false);
    expect(tracker.start('3')).toBe(false);
    expect(tracker.takeCommittable()).toBeNull();
  });

  it('keeps a few entries for 200,000 finished offsets behind a stuck one, in any order of finishing', () => {
    const tracker = new OffsetTracker();
    const total = 200_000;
    for (let offset = 0; offset <= total; offset++) tracker.start(String(offset));
    // Finished out of order within windows of 64, as concurrent handlers do.
    for (let window = 1; window <= total; window += 64) {
      for (let offset = Math.min(window + 63, total); offset >= window; offset--) tracker.finish(String(offset));
    }
    expect(tracker.entries).toBe(2);
    expect(tracker.takeCommittable()).toBe('0');
    expect(tracker.start('150000')).toBe(false);
    tracker.finish('0');
    expect(tracker.takeCommittable()).toBe(String(total + 1));
    expect(tracker.entries).toBe(0);
  });

  it('merges ranges finished on both sides of a gap', () => {
    const tracker = new OffsetTracker();
    for (let offset = 0; offset < 6; offset++) tracker.start(String(offset));
    for (const offset of ['1', '2', '4', '5']) tracker.finish(offset);
    expect(tracker.entries).toBe(4);
    tracker.finish('3');
    expect(tracker.entries).toBe(2);
    expect(tracker.start('3')).toBe(false);
  });
});
