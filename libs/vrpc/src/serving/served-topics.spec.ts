import { describe, expect, it } from 'vitest';
import { servedTopics, unservedWarnings } from './served-topics.js';

const topics = { requestPrefix: 'req.', requests: { 'a.One': 'shared', 'b.Two': 'shared', 'c.Three': 'shared' } };

describe('servedTopics', () => {
  it('keeps <prefix><package.Service> for a topic of one service, so existing groups keep their commits', () => {
    expect(servedTopics(['x.Own', 'y.Own'], topics, 'g.')).toEqual([
      { topic: 'req.x.Own', services: ['x.Own'], group: 'g.x.Own' },
      { topic: 'req.y.Own', services: ['y.Own'], group: 'g.y.Own' },
    ]);
  });

  it('subscribes once per shared topic, in the group <prefix><topic>, with every service served from it', () => {
    expect(servedTopics(['a.One', 'x.Own', 'b.Two', 'a.One'], topics)).toEqual([
      { topic: 'shared', services: ['a.One', 'b.Two'], group: 'vrpc.shared' },
      { topic: 'req.x.Own', services: ['x.Own'], group: 'vrpc.x.Own' },
    ]);
  });

  it('uses <prefix><package.Service> when only one of a shared topic services is served here', () => {
    expect(servedTopics(['a.One'], topics)).toEqual([{ topic: 'shared', services: ['a.One'], group: 'vrpc.a.One' }]);
  });
});

describe('unservedWarnings', () => {
  it('names each service mapped to a topic read here that this process does not serve, and the outcome', () => {
    const warnings = unservedWarnings(servedTopics(['a.One', 'b.Two'], topics), topics);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('c.Three');
    expect(warnings[0]).toContain('shared');
    expect(warnings[0]).toContain('UNIMPLEMENTED');
  });

  it('is silent when every service of the topics read is served, or the mapping names topics not read here', () => {
    expect(unservedWarnings(servedTopics(['a.One', 'b.Two', 'c.Three'], topics), topics)).toEqual([]);
    expect(unservedWarnings(servedTopics(['x.Own'], topics), topics)).toEqual([]);
  });
});
