import type { VrpcModuleOptions } from '../interfaces/vrpc-options.interface.js';
import type { VrpcBus } from './bus.interface.js';
import { KafkaBus } from './kafka/kafka.bus.js';
import { MemoryBus } from './memory/memory.bus.js';

/** The bus the options ask for: an instance as given, or a built-in by name (Kafka by default). */
export function createBus(options: Pick<VrpcModuleOptions, 'bus' | 'kafka' | 'clientId'>): VrpcBus {
  const bus = options.bus ?? 'kafka';
  if (bus === 'memory') return new MemoryBus();
  if (bus === 'kafka') return new KafkaBus({ clientId: options.clientId, ...options.kafka });
  return bus;
}
