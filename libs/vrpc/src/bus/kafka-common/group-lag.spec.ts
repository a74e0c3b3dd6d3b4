import { describe, expect, it } from 'vitest';
import type { GroupOffsetsPort } from './group-offsets.interface.js';
import { ConsumerState, groupLag } from './group-lag.js';

const port = (committed: Record<number, string>): GroupOffsetsPort => ({
  watermarks: () =>
    Promise.resolve(
      new Map([
        [0, { low: '0', high: '10' }],
        [1, { low: '5', high: '8' }],
      ]),
    ),
  fetchCommitted: () =>
    Promise.resolve(
      Object.entries(committed).map(([partition, offset]) => ({ topic: 't', partition: Number(partition), offset, metadata: null })),
    ),
  earliest: () => Promise.resolve(new Map()),
  commitWithMetadata: () => Promise.resolve(),
});

describe('groupLag', () => {
  it('is the high watermark minus the commit; a partition never committed counts from its low watermark', async () => {
    expect(await groupLag(port({ 0: '7', 1: '-1' }), ['t'])).toEqual([
      { topic: 't', partition: 0, lag: 3 },
      { topic: 't', partition: 1, lag: 3 },
    ]);
  });

  it('rejects within its time limit when the broker does not answer', async () => {
    const hung: GroupOffsetsPort = { ...port({}), watermarks: () => new Promise(() => undefined) };
    await expect(groupLag(hung, ['t'])).rejects.toThrow('the lag query did not finish in time');
  }, 5_000);
});

describe('ConsumerState', () => {
  it('follows joins, crashes with restarts, and stops', () => {
    const state = new ConsumerState();
    expect(state.snapshot()).toEqual({ consuming: false, restarts: 0 });
    state.joined();
    state.crashed(new Error('boom'), true);
    expect(state.snapshot()).toEqual({ consuming: false, restarts: 1, lastError: 'boom' });
    state.joined();
    expect(state.snapshot().consuming).toBe(true);
    state.stopped();
    expect(state.snapshot().consuming).toBe(false);
  });
});
