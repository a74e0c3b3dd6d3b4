import type { VrpcBus } from '../bus/bus.interface.js';
import { VrpcMessages } from '../errors/vrpc.messages.js';
import type { VrpcServingOptions } from './serving-options.interface.js';

/**
 * What a serve loop should warn about once at start: options set explicitly that need a
 * capability the bus lacks. A default that cannot apply stays quiet (the in-memory bus has
 * nothing to count, and nobody asked for it).
 */
export function capabilityWarnings(bus: VrpcBus, options: Pick<VrpcServingOptions, 'maxDeliveries'>): string[] {
  const warnings: string[] = [];
  if (options.maxDeliveries !== undefined && !bus.capabilities.deliveryCount) {
    warnings.push(VrpcMessages.cannotCountDeliveries(bus.constructor.name));
  }
  return warnings;
}
