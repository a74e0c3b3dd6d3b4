import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@vrpc/test-support';
import type { VrpcBus } from './bus.interface.js';
import { VrpcConfigError } from '../errors/vrpc-config.error.js';
import { createBus } from './create-bus.js';
import { KafkaBus } from './kafka/kafka.bus.js';
import { MemoryBus } from './memory/memory.bus.js';
import { NatsBus } from './nats/nats.bus.js';
import { PlatformaticKafkaBus } from './platformatic-kafka/platformatic-kafka.bus.js';
import { RabbitMqBus } from './rabbitmq/rabbitmq.bus.js';

/** A loopback TCP server that counts the connections it accepts and drops each at once. */
async function countingServer(): Promise<{ port: number; accepted: () => number; close: () => Promise<void> }> {
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    accepted: () => accepted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The built-ins that dial a broker (NATS first: its health() opens nothing), with retries kept short. */
const NETWORKED: Record<string, (port: number) => VrpcBus> = {
  nats: (port) => createBus({ type: 'nats', servers: `127.0.0.1:${port}` }),
  rabbitmq: (port) => createBus({ type: 'rabbitmq', url: `amqp://127.0.0.1:${port}`, retryDelayMs: 50 }),
  kafka: (port) => createBus({ type: 'kafka', brokers: [`127.0.0.1:${port}`], client: { retry: { retries: 0 } } }),
  'platformatic-kafka': (port) => createBus({ type: 'platformatic-kafka', brokers: [`127.0.0.1:${port}`], client: { retries: 0 } }),
};

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
    const idle = await countingServer();
    const kinds = Object.values(NETWORKED);
    const active = await Promise.all(kinds.map(() => countingServer()));
    const buses: VrpcBus[] = [];
    try {
      // One bus of each networked kind pointed at `idle`, created and (where health() opens
      // nothing) asked for its health; none may dial it.
      buses.push(...kinds.map((make) => make(idle.port)));
      expect((await buses[0].health()).healthy).toBe(false);
      // The same kinds, each pointed at a server of its own and told to connect: once each has
      // dialled, a bus that connected on creation (earlier, along the same path) would have too.
      const dialling = kinds.map((make, i) => make(active[i].port));
      buses.push(...dialling);
      for (const bus of dialling) void bus.connect().catch(() => undefined);
      await waitFor(() => active.every((server) => server.accepted() > 0));
      expect(idle.accepted()).toBe(0);
    } finally {
      await Promise.allSettled(buses.map((bus) => bus.close()));
      await Promise.all([idle, ...active].map((server) => server.close()));
    }
  });
});
