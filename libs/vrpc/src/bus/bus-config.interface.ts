import type { VrpcBus } from './bus.interface.js';
import type { KafkaBusOptions } from './kafka/kafka-bus-options.interface.js';
import type { NatsBusOptions } from './nats/nats-bus-options.interface.js';
import type { PlatformaticKafkaBusOptions } from './platformatic-kafka/platformatic-kafka-bus-options.interface.js';
import type { RabbitMqBusOptions } from './rabbitmq/rabbitmq-bus-options.interface.js';

/** Settings of the in-memory bus. */
export interface MemoryBusOptions {
  /** Partitions of topics nobody provisioned (default 4). */
  partitions?: number;
  /** Largest message taken, in bytes of value, key and headers (default: no limit). */
  maxMessageBytes?: number;
}

/** The settings of each built-in bus, by its name. */
export interface VrpcBusSettings {
  kafka: KafkaBusOptions;
  'platformatic-kafka': PlatformaticKafkaBusOptions;
  /** `clientId` names the connection unless `name` does (as on the Kafka buses). */
  nats: NatsBusOptions;
  rabbitmq: RabbitMqBusOptions;
  memory: MemoryBusOptions;
}

/** The buses `createBus()` knows by name. */
export type VrpcBusName = keyof VrpcBusSettings;

/** A built-in bus with its settings: `{ type: 'nats', servers: '…' }`. */
export type VrpcBusConfig = { [K in VrpcBusName]: { type: K } & VrpcBusSettings[K] }[VrpcBusName];

/**
 * How a module, server, client or gateway gets its bus: a plugin instance, a built-in by name
 * (with its defaults), or a built-in with settings. Default: `'kafka'`.
 */
export type VrpcBusOption = VrpcBus | VrpcBusName | VrpcBusConfig;
