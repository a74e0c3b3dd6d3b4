import { ProtocolError, ResponseError, UserError } from '@platformatic/kafka';
import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { VrpcPublishError } from '../../errors/vrpc-publish.error.js';
import { kafkaPublishError } from './kafka-publish-errors.js';

/** A kafkajs protocol error as its producer throws it (the broker's error code decoded). */
const kafkajsProtocol = (type: string, code: number, retriable: boolean) =>
  new KafkaJSProtocolError({ type, code, retriable, message: `broker said ${type}`, name: 'KafkaJSProtocolError' } as unknown as Error);

describe('kafkaPublishError', () => {
  it.each([
    ['MESSAGE_TOO_LARGE', 10, false, 'too-large'],
    ['RECORD_LIST_TOO_LARGE', 18, false, 'too-large'],
    ['TOPIC_AUTHORIZATION_FAILED', 29, false, 'not-authorized'],
  ])('maps kafkajs %s to a final %s', (type, code, retriable, reason) => {
    const error = kafkaPublishError('kafka', kafkajsProtocol(type, code, retriable));
    expect(error).toBeInstanceOf(VrpcPublishError);
    expect(error).toMatchObject({ bus: 'kafka', reason, final: true });
  });

  it('treats a missing topic as final although kafkajs retries it (wrapped as its producer wraps it)', () => {
    const cause = kafkajsProtocol('UNKNOWN_TOPIC_OR_PARTITION', 3, true);
    const thrown = new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 0, retryTime: 100 });
    expect(kafkaPublishError('kafka', thrown)).toMatchObject({ reason: 'unknown-topic', final: true, cause: thrown });
  });

  it('finds an invalid topic inside kafkajs non-retriable wrapper', () => {
    const cause = kafkajsProtocol('INVALID_TOPIC_EXCEPTION', 17, false);
    // kafkajs passes the cause as a second argument its typings do not declare.
    const thrown = Object.assign(new KafkaJSNonRetriableError(cause), { cause });
    expect(kafkaPublishError('kafka', thrown)).toMatchObject({ reason: 'invalid-topic', final: true });
  });

  it('leaves a lost connection retriable', () => {
    const error = kafkaPublishError('kafka', new KafkaJSConnectionError('Connection error: ECONNREFUSED'));
    expect(error).toMatchObject({ reason: 'unavailable', final: false });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('maps @platformatic/kafka protocol errors, also inside a response error', () => {
    expect(kafkaPublishError('platformatic-kafka', new ProtocolError('MESSAGE_TOO_LARGE'))).toMatchObject({
      reason: 'too-large',
      final: true,
    });
    const response = new ResponseError(0, 9, { '/topics/0/partitions/0': [3, null] }, {});
    expect(kafkaPublishError('platformatic-kafka', response)).toMatchObject({ reason: 'unknown-topic', final: true });
    expect(kafkaPublishError('platformatic-kafka', new ProtocolError('NOT_LEADER_OR_FOLLOWER'))).toMatchObject({ final: false });
    // Its metadata lookup of a topic that does not exist (before any produce).
    expect(kafkaPublishError('platformatic-kafka', new UserError('Unknown topic t.missing.'))).toMatchObject({
      reason: 'unknown-topic',
      final: true,
    });
  });

  it('passes a mapped error through', () => {
    const mapped = new VrpcPublishError('kafka', 'unknown-partition', true, 'no partition 7');
    expect(kafkaPublishError('kafka', mapped)).toBe(mapped);
  });
});
