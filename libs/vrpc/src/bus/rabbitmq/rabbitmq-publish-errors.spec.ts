import { describe, expect, it } from 'vitest';
import { rabbitMqPublishError, unroutable } from './rabbitmq-publish-errors.js';

// amqplib reports a channel the broker closed as a plain Error with the broker's words.
const closedBy = (text: string) => Object.assign(new Error(`Channel closed by server: ${text}`), { code: 406 });

describe('rabbitMqPublishError', () => {
  it('makes a missing exchange a final unknown topic', () => {
    const error = rabbitMqPublishError('t', closedBy("404 (NOT-FOUND) with message \"NOT_FOUND - no exchange 't' in vhost '/'\""));
    expect(error).toMatchObject({ bus: 'rabbitmq', reason: 'unknown-topic', final: true });
    expect(error.message).toContain('is it provisioned (ensureTopics)?');
  });

  it('makes a message over max_message_size final too-large', () => {
    const text =
      '406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - message size 17000000 is larger than configured max size 16777216"';
    expect(rabbitMqPublishError('t', closedBy(text))).toMatchObject({ reason: 'too-large', final: true });
  });

  it('leaves a lost connection, and a topic no group has a queue on yet, retriable', () => {
    expect(rabbitMqPublishError('t', new Error('Connection closed: 320 (CONNECTION-FORCED)'))).toMatchObject({ final: false });
    expect(unroutable('t')).toMatchObject({ reason: 'unroutable', final: false });
  });
});
