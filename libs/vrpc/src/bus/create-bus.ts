import type { VrpcModuleOptions } from '../module/vrpc-options.interface.js';
import type { VrpcBus } from './bus.interface.js';
import { KafkaBus } from './kafka/kafka.bus.js';
import { MemoryBus } from './memory/memory.bus.js';
import { NatsBus } from './nats/nats.bus.js';
import type { PlatformaticKafkaBusOptions } from './platformatic-kafka/platformatic-kafka-bus-options.interface.js';
import { PlatformaticKafkaBus } from './platformatic-kafka/platformatic-kafka.bus.js';
import { RabbitMqBus } from './rabbitmq/rabbitmq.bus.js';

/** The options `createBus()` reads. */
export type CreateBusOptions = Pick<
  VrpcModuleOptions,
  'bus' | 'kafka' | 'nats' | 'rabbitmq' | 'platformaticKafka' | 'clientId'
>;

/**
 * The bus the options ask for: an instance as given, or a built-in by name (Kafka by default).
 * Synchronous and free of I/O: plugins load their client packages when they connect, so an
 * app only needs the client of the bus it uses.
 */
export function createBus(options: CreateBusOptions): VrpcBus {
  const bus = options.bus ?? 'kafka';
  if (typeof bus !== 'string') return bus;
  switch (bus) {
    case 'kafka':
      return new KafkaBus({ clientId: options.clientId, ...options.kafka });
    case 'memory':
      return new MemoryBus();
    case 'nats':
      return new NatsBus({ clientId: options.clientId, ...options.nats });
    case 'rabbitmq':
      return new RabbitMqBus({ ...options.rabbitmq });
    case 'platformatic-kafka':
      return new PlatformaticKafkaBus({
        ...sharedKafkaSettings(options.kafka),
        clientId: options.kafka?.clientId ?? options.clientId,
        ...options.platformaticKafka,
      });
    default:
      throw new Error(unknownBus(bus));
  }
}

/** What both Kafka clients understand; kafkajs' own `client` settings stay with kafkajs. */
function sharedKafkaSettings(kafka: CreateBusOptions['kafka']): PlatformaticKafkaBusOptions {
  const { brokers, acks, sessionTimeoutMs, maxWaitTimeMs, commitIntervalMs } = kafka ?? {};
  return { brokers, acks, sessionTimeoutMs, maxWaitTimeMs, commitIntervalMs };
}

function unknownBus(name: never): string {
  return `vRPC: unknown bus "${String(name)}"; use kafka, memory, nats, rabbitmq, platformatic-kafka, or pass a VrpcBus instance`;
}
