import { describe, expect, it } from 'vitest';
import { isTopicNotYetKnown } from './new-topic.js';

describe('a topic a broker has not learned of yet', () => {
  it("is kafkajs' UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE, bare or inside the error kafkajs gave up with", () => {
    expect(
      isTopicNotYetKnown(
        Object.assign(new Error('This server does not host this topic-partition'), { type: 'UNKNOWN_TOPIC_OR_PARTITION' }),
      ),
    ).toBe(true);
    expect(isTopicNotYetKnown(Object.assign(new Error('no leader'), { type: 'LEADER_NOT_AVAILABLE' }))).toBe(true);
    expect(
      isTopicNotYetKnown(Object.assign(new Error('retries exceeded'), { originalError: { type: 'UNKNOWN_TOPIC_OR_PARTITION' } })),
    ).toBe(true);
  });

  it('is not any other failure: those end the subscription at once', () => {
    expect(isTopicNotYetKnown(Object.assign(new Error('denied'), { type: 'TOPIC_AUTHORIZATION_FAILED' }))).toBe(false);
    expect(isTopicNotYetKnown(new Error('connection refused'))).toBe(false);
    expect(isTopicNotYetKnown(undefined)).toBe(false);
  });
});
