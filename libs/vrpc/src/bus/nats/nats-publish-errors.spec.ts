import { InvalidArgumentError, NoRespondersError, TimeoutError } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { natsPublishError } from './nats-publish-errors.js';

describe('natsPublishError', () => {
  it('makes a subject no stream captures a final unknown topic', () => {
    const cause = new NoRespondersError('vrpc.replies.3');
    const error = natsPublishError('vrpc.replies', 'vrpc.replies.3', cause);
    expect(error).toMatchObject({ bus: 'nats', reason: 'unknown-topic', final: true, cause });
    expect(error.message).toContain('is topic vrpc.replies provisioned (ensureTopics)?');
  });

  it('makes a payload over max_payload final too-large, as the client throws it', () => {
    const error = natsPublishError('t', 't.0', InvalidArgumentError.format('payload', 'max_payload size exceeded'));
    expect(error).toMatchObject({ reason: 'too-large', final: true });
  });

  it('makes JetStream saying no stream answers (how a publish to an unprovisioned subject fails) an unknown topic', () => {
    const cause = Object.assign(new Error('jetstream is not enabled'), { name: 'JetStreamNotEnabled' });
    expect(natsPublishError('t', 't.0', cause)).toMatchObject({ reason: 'unknown-topic', final: true });
  });

  it('leaves a timeout retriable', () => {
    expect(natsPublishError('t', 't.0', new TimeoutError())).toMatchObject({ reason: 'unavailable', final: false });
  });
});
