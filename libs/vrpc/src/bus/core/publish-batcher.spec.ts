import { describe, expect, it } from 'vitest';
import { PublishBatcher } from './publish-batcher.js';

/** A send that records its batches and completes when told to. */
function recordingSend() {
  const batches: number[][] = [];
  const pending: Array<() => void> = [];
  const send = (items: number[]) => {
    batches.push(items);
    return new Promise<void>((resolve) => pending.push(resolve));
  };
  const completeAll = () => pending.splice(0).forEach((resolve) => resolve());
  return { batches, send, completeAll };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A batcher that has seen two publishes overlap (sent as [1] then [2]), all of them done. */
async function afterConcurrentTraffic() {
  const recording = recordingSend();
  const batcher = new PublishBatcher(recording.send);
  const warmUp = [batcher.publish([1]), batcher.publish([2])];
  recording.completeAll();
  await turn();
  recording.completeAll();
  await Promise.all(warmUp);
  return { ...recording, batcher };
}

describe('PublishBatcher', () => {
  it('sends a lone publish at once', () => {
    const { batches, send } = recordingSend();
    void new PublishBatcher(send).publish([1]);
    expect(batches).toEqual([[1]]);
  });

  it('sends what is published during a send together in the next one', async () => {
    const { batches, send, completeAll } = recordingSend();
    const batcher = new PublishBatcher(send);
    const all = [batcher.publish([1]), batcher.publish([2]), batcher.publish([3])];
    expect(batches).toEqual([[1]]);
    completeAll();
    await turn();
    expect(batches).toEqual([[1], [2, 3]]);
    completeAll();
    await Promise.all(all);
  });

  it('after concurrent traffic, sends what one turn publishes in one request', async () => {
    const { batches, completeAll, batcher } = await afterConcurrentTraffic();
    const burst = [batcher.publish([3]), batcher.publish([4]), batcher.publish([5])];
    expect(batches).toEqual([[1], [2]]);
    await turn();
    expect(batches).toEqual([[1], [2], [3, 4, 5]]);
    completeAll();
    await Promise.all(burst);
  });

  it('goes back to sending at once when calls come one at a time', async () => {
    const { batches, completeAll, batcher } = await afterConcurrentTraffic();
    const lone = batcher.publish([3]);
    await turn();
    completeAll();
    await lone;
    void batcher.publish([4]);
    expect(batches.at(-1)).toEqual([4]);
  });

  it('tells every caller of a failed send', async () => {
    const batcher = new PublishBatcher<number>(() => Promise.reject(new Error('broker down')));
    const results = await Promise.allSettled([batcher.publish([1]), batcher.publish([2])]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });
});
