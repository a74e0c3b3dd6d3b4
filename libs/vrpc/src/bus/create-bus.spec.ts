import { describe, expect, it } from 'vitest';
import { VrpcConfigError } from '../errors/vrpc-config.error.js';
import { createBus } from './create-bus.js';
import { KafkaBus } from './kafka/kafka.bus.js';
import { MemoryBus } from './memory/memory.bus.js';
import { NatsBus } from './nats/nats.bus.js';
import { PlatformaticKafkaBus } from './platformatic-kafka/platformatic-kafka.bus.js';
import { RabbitMqBus } from './rabbitmq/rabbitmq.bus.js';

describe('createBus', () => {
  it('builds each built-in by name, Kafka by default', () => {
    expect(createBus()).toBeInstanceOf(KafkaBus);
    expect(createBus('kafka')).toBeInstanceOf(KafkaBus);
    expect(createBus('memory')).toBeInstanceOf(MemoryBus);
    expect(createBus('nats')).toBeInstanceOf(NatsBus);
    expect(createBus('rabbitmq')).toBeInstanceOf(RabbitMqBus);
    expect(createBus('platformatic-kafka')).toBeInstanceOf(PlatformaticKafkaBus);
  });

  it('builds each built-in from its config', () => {
    expect(createBus({ type: 'kafka', brokers: ['127.0.0.1:1'], clientId: 'billing' })).toBeInstanceOf(KafkaBus);
    expect(createBus({ type: 'nats', servers: '127.0.0.1:1' })).toBeInstanceOf(NatsBus);
    expect(createBus({ type: 'rabbitmq', url: 'amqp://127.0.0.1:1' })).toBeInstanceOf(RabbitMqBus);
    expect(createBus({ type: 'platformatic-kafka', brokers: ['127.0.0.1:1'] })).toBeInstanceOf(PlatformaticKafkaBus);
    expect(createBus({ type: 'memory' })).toBeInstanceOf(MemoryBus);
  });

  it('passes the settings to the bus (memory: partitions of topics nobody provisioned)', async () => {
    const bus = createBus({ type: 'memory', partitions: 7 });
    await bus.connect();
    // An inbox gets one partition of its topic: across many instance ids, each of the 7 shows up.
    const partitions = new Set<number | undefined>();
    for (let i = 0; i < 200; i++) partitions.add((await bus.openInbox(`i${i}`, 'replies', () => Promise.resolve())).address.partition);
    expect([...partitions].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    await bus.close();
  });

  it('returns an instance as given', () => {
    const bus = new MemoryBus();
    expect(createBus(bus)).toBe(bus);
  });

  it('names the choices when the name is unknown (e.g. a typo in a config file)', () => {
    expect(() => createBus('rabbit' as never)).toThrow(/unknown bus "rabbit".*nats, rabbitmq/);
    expect(() => createBus({ type: 'rabbit' } as never)).toThrow(VrpcConfigError);
    expect(() => createBus('toString' as never)).toThrow(VrpcConfigError);
  });

  it('connects to nothing until connect(): a bus whose broker is down is still created', async () => {
    const bus = createBus({ type: 'nats', servers: '127.0.0.1:1' });
    expect((await bus.health()).healthy).toBe(false);
    await bus.close();
  });
});
