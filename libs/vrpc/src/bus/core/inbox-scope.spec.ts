import { describe, expect, it } from 'vitest';
import { VrpcConfigError } from '../../errors/vrpc-config.error.js';
import { NatsBus } from '../nats/nats.bus.js';
import { RabbitMqBus } from '../rabbitmq/rabbitmq.bus.js';
import { requireOwnInbox } from './inbox-scope.js';

describe('requireOwnInbox', () => {
  it('lets own-partition (and no scope) through, refuses whole-topic naming the option and the bus', () => {
    expect(() => requireOwnInbox('nats', undefined)).not.toThrow();
    expect(() => requireOwnInbox('nats', { scope: 'own-partition' })).not.toThrow();
    expect(() => requireOwnInbox('nats', { scope: 'whole-topic' })).toThrow(
      /client\.replyInbox: the nats bus cannot read replies as 'whole-topic'/,
    );
  });

  it('makes NATS and RabbitMQ refuse a whole-topic inbox before connecting', async () => {
    const handler = () => Promise.resolve();
    await expect(new NatsBus().openInbox('i', 't', handler, { scope: 'whole-topic' })).rejects.toBeInstanceOf(VrpcConfigError);
    await expect(new RabbitMqBus().openInbox('i', 't', handler, { scope: 'whole-topic' })).rejects.toBeInstanceOf(VrpcConfigError);
  });
});
