import { describe, expect, it } from 'vitest';
import { VrpcPublishError } from '../../errors/vrpc-publish.error.js';
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

  it('caps the bytes of a send: what does not fit goes in the next one', async () => {
    const { batches, send, completeAll } = recordingSend();
    const batcher = new PublishBatcher(send, { maxBytes: 1000, size: (item: number) => item });
    const all = [batcher.publish([100]), batcher.publish([400]), batcher.publish([400]), batcher.publish([400]), batcher.publish([1500])];
    completeAll();
    await turn();
    expect(batches).toEqual([[100], [400, 400]]);
    completeAll();
    await turn();
    completeAll();
    await turn();
    completeAll();
    await Promise.all(all);
    // A lone publish over the cap still goes, alone: the broker says whether it takes it.
    expect(batches).toEqual([[100], [400, 400], [400], [1500]]);
  });

  it('fails only the faulty publish of a batch that fails with a final error', async () => {
    const sent: number[][] = [];
    const tooLarge = new VrpcPublishError('test', 'too-large', true, 'too large');
    const batcher = new PublishBatcher<number>((items) => {
      sent.push(items);
      return items.includes(666) ? Promise.reject(tooLarge) : Promise.resolve();
    });
    const first = batcher.publish([1]);
    const rest = [batcher.publish([2]), batcher.publish([666]), batcher.publish([3])];
    await first;
    const results = await Promise.allSettled(rest);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBe(tooLarge);
    expect(sent).toEqual([[1], [2, 666, 3], [2], [666], [3]]);
  });

  it('fails a whole batch at once on a retriable error (the next attempt sends it together again)', async () => {
    const sent: number[][] = [];
    const batcher = new PublishBatcher<number>((items) => {
      sent.push(items);
      return items.length > 1 ? Promise.reject(new VrpcPublishError('test', 'unavailable', false, 'down')) : Promise.resolve();
    });
    const first = batcher.publish([1]);
    const rest = [batcher.publish([2]), batcher.publish([3])];
    await first;
    const results = await Promise.allSettled(rest);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(sent).toEqual([[1], [2, 3]]);
  });
});
