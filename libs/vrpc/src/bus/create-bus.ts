import { VrpcConfigError } from '../errors/vrpc-config.error.js';
import { ConfigMessages } from '../errors/vrpc.messages.js';
import type { VrpcBusConfig, VrpcBusName, VrpcBusOption, VrpcBusSettings } from './bus-config.interface.js';
import type { VrpcBus } from './bus.interface.js';
import { KafkaBus } from './kafka/kafka.bus.js';
import { MemoryBus } from './memory/memory.bus.js';
import { NatsBus } from './nats/nats.bus.js';
import { PlatformaticKafkaBus } from './platformatic-kafka/platformatic-kafka.bus.js';
import { RabbitMqBus } from './rabbitmq/rabbitmq.bus.js';

type BusFactory<K extends VrpcBusName> = (settings: VrpcBusSettings[K]) => VrpcBus;

/** One factory per built-in bus: adding a bus is one entry here (and its settings in `VrpcBusSettings`). */
const BUS_FACTORIES: { readonly [K in VrpcBusName]: BusFactory<K> } = {
  kafka: (settings) => new KafkaBus(settings),
  'platformatic-kafka': (settings) => new PlatformaticKafkaBus(settings),
  nats: (settings) => new NatsBus(settings),
  rabbitmq: (settings) => new RabbitMqBus(settings),
  memory: (settings) => new MemoryBus(settings.partitions, settings.maxMessageBytes),
};

function isBus(option: VrpcBus | VrpcBusConfig): option is VrpcBus {
  return typeof (option as Partial<VrpcBus>).publish === 'function';
}

/**
 * The bus an option asks for: an instance as given, a built-in by name (with its defaults) or
 * a built-in with settings (`{ type: 'nats', servers }`); Kafka by default. Synchronous and
 * free of I/O: plugins load their client packages when they connect, so an app only needs the
 * client of the bus it uses.
 */
export function createBus(option: VrpcBusOption = 'kafka'): VrpcBus {
  if (typeof option !== 'string' && isBus(option)) return option;
  const { type, ...settings }: VrpcBusConfig = typeof option === 'string' ? { type: option } : option;
  // A name from a config file is only a string at run time: check it against the record.
  if (!Object.hasOwn(BUS_FACTORIES, type)) {
    throw new VrpcConfigError('bus', ConfigMessages.unknownBus(String(type), Object.keys(BUS_FACTORIES)));
  }
  return (BUS_FACTORIES[type] as BusFactory<VrpcBusName>)(settings);
}
