import { describe, expect, it } from 'vitest';
import { createBus } from './create-bus.js';
import { KafkaBus } from './kafka/kafka.bus.js';
import { MemoryBus } from './memory/memory.bus.js';
import { NatsBus } from './nats/nats.bus.js';
import { PlatformaticKafkaBus } from './platformatic-kafka/platformatic-kafka.bus.js';
import { RabbitMqBus } from './rabbitmq/rabbitmq.bus.js';

describe('createBus', () => {
  it('builds each built-in by name, Kafka by default', () => {
    expect(createBus({})).toBeInstanceOf(KafkaBus);
    expect(createBus({ bus: 'kafka' })).toBeInstanceOf(KafkaBus);
    expect(createBus({ bus: 'memory' })).toBeInstanceOf(MemoryBus);
    expect(createBus({ bus: 'nats' })).toBeInstanceOf(NatsBus);
    expect(createBus({ bus: 'rabbitmq' })).toBeInstanceOf(RabbitMqBus);
    expect(createBus({ bus: 'platformatic-kafka' })).toBeInstanceOf(PlatformaticKafkaBus);
  });

  it('returns an instance as given', () => {
    const bus = new MemoryBus();
    expect(createBus({ bus })).toBe(bus);
  });

  it('names the choices when the name is unknown (e.g. a typo in a config file)', () => {
    expect(() => createBus({ bus: 'rabbit' as never })).toThrow(/unknown bus "rabbit".*nats, rabbitmq/);
  });

  it('connects to nothing until connect(): a bus whose broker is down is still created', async () => {
    const bus = createBus({ bus: 'nats', nats: { servers: '127.0.0.1:1' } });
    expect((await bus.health()).healthy).toBe(false);
    await bus.close();
  });
});
