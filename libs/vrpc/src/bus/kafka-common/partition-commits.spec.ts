import { describe, expect, it } from 'vitest';
import { PartitionCommits, type PartitionPosition } from './partition-commits.js';

function commitsRecorder() {
  const sent: PartitionPosition[][] = [];
  const commits = new PartitionCommits(
    (positions) => {
      sent.push(positions);
      return Promise.resolve();
    },
    60_000,
    () => undefined,
  );
  return { commits, sent };
}

describe('PartitionCommits', () => {
  it('commits each partition up to its lowest unfinished offset', async () => {
    const { commits, sent } = commitsRecorder();
    const tracker = commits.tracker('req', 0);
    for (const offset of ['5', '6', '7']) tracker.start(offset);
    tracker.finish('5');
    tracker.finish('7');
    await commits.flush();
    expect(sent).toEqual([[{ topic: 'req', partition: 0, offset: '6' }]]);
  });

  it('after a rebalance, commits only the partitions this member kept', async () => {
    const { commits, sent } = commitsRecorder();
    for (const partition of [0, 1, 2]) {
      const tracker = commits.tracker('req', partition);
      tracker.start('10');
      tracker.finish('10');
    }
    await commits.flush();
    sent.length = 0;
    // Partition 1 went to another member, 3 came in: 1 must never be committed from here again
    // (its new owner may be past offset 11 already).
    commits.onRebalance({ req: [0, 1, 2] }, { req: [0, 2, 3] });
    await commits.flush();
    expect(sent).toEqual([
      [
        { topic: 'req', partition: 0, offset: '11' },
        { topic: 'req', partition: 2, offset: '11' },
      ],
    ]);
  });

  it('does not commit from the tracker of a partition it lost, when a request of it finishes late', async () => {
    const { commits, sent } = commitsRecorder();
    const lost = commits.tracker('req', 1);
    lost.start('20');
    commits.onRebalance({ req: [1] }, { req: [] });
    lost.finish('20');
    await commits.flush();
    expect(sent).toEqual([]);
    // Taken again later: a fresh tracker, from whatever the group committed meanwhile.
    const again = commits.tracker('req', 1);
    expect(again).not.toBe(lost);
  });
});
