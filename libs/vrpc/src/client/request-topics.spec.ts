import { describe, expect, it } from 'vitest';
import type { TopicSpec } from '../bus/bus.interface.js';
import { RequestTopics } from './request-topics.js';

/** A bus whose topic creations the test settles by hand. */
function fakeBus() {
  const created: { specs: TopicSpec[]; resolve: () => void; reject: (error: Error) => void }[] = [];
  const bus = {
    ensureTopics: (specs: TopicSpec[]) => new Promise<void>((resolve, reject) => created.push({ specs, resolve, reject })),
  };
  return { bus, created };
}

describe('RequestTopics', () => {
  it('names a service topic from the options: explicit, else prefix + service', () => {
    const topics = new RequestTopics(fakeBus().bus, { requestPrefix: 'rq.', requests: { 'demo.Special': 'special-topic' } });
    expect(topics.name('demo.Echo')).toBe('rq.demo.Echo');
    expect(topics.name('demo.Special')).toBe('special-topic');
  });

  it('throws for an illegal topic name every time it is asked', () => {
    const topics = new RequestTopics(fakeBus().bus, { requestPrefix: 'bad prefix/' });
    expect(() => topics.name('demo.Echo')).toThrow(/not a legal topic name/);
    expect(() => topics.name('demo.Echo')).toThrow(/not a legal topic name/);
  });

  it('is not ready until the topic was created, then gives its name', async () => {
    const { bus, created } = fakeBus();
    const topics = new RequestTopics(bus, { requestPartitions: 3, replicationFactor: 2 });
    expect(topics.ready('demo.Echo')).toBeUndefined();
    const ensured = topics.ensure('demo.Echo');
    expect(created[0].specs).toEqual([{ topic: 'vrpc.req.demo.Echo', partitions: 3, replicationFactor: 2 }]);
    expect(topics.ready('demo.Echo')).toBeUndefined();
    created[0].resolve();
    await ensured;
    expect(topics.ready('demo.Echo')).toBe('vrpc.req.demo.Echo');
  });

  it('creates each topic once, however many calls ask at the same time', () => {
    const { bus, created } = fakeBus();
    const topics = new RequestTopics(bus, {});
    const first = topics.ensure('demo.Echo');
    expect(topics.ensure('demo.Echo')).toBe(first);
    expect(created).toHaveLength(1);
  });

  it('forgets a failed creation, so the next call tries again', async () => {
    const { bus, created } = fakeBus();
    const topics = new RequestTopics(bus, {});
    const failed = topics.ensure('demo.Echo');
    created[0].reject(new Error('no admin'));
    await expect(failed).rejects.toThrow('no admin');
    expect(topics.ready('demo.Echo')).toBeUndefined();
    const retried = topics.ensure('demo.Echo');
    expect(created).toHaveLength(2);
    created[1].resolve();
    await retried;
    expect(topics.ready('demo.Echo')).toBe('vrpc.req.demo.Echo');
  });

  it('takes topics created elsewhere as ready, without creating them again', async () => {
    const { bus, created } = fakeBus();
    const topics = new RequestTopics(bus, {});
    topics.markReady(['demo.Echo', 'demo.Other']);
    expect(topics.ready('demo.Echo')).toBe('vrpc.req.demo.Echo');
    expect(topics.ready('demo.Other')).toBe('vrpc.req.demo.Other');
    await topics.ensure('demo.Echo');
    expect(created).toEqual([]);
  });
});
