import { describe, expect, it } from 'vitest';
import type { BusCapabilities, VrpcBus } from '../bus/bus.interface.js';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { capabilityWarnings } from './capability-warnings.js';

/** A bus that declares `capabilities` and does nothing else (the check reads nothing more). */
function busWith(capabilities: BusCapabilities): VrpcBus {
  return Object.assign(new MemoryBus(), { capabilities });
}

describe('capabilityWarnings', () => {
  it('warns when maxDeliveries is set and the bus cannot count deliveries, naming the bus', () => {
    const warnings = capabilityWarnings(busWith({ deliveryCount: false }), { maxDeliveries: 3 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^vRPC: maxDeliveries is set, but the bus \(MemoryBus\) cannot count deliveries/);
  });

  it('says nothing when the bus counts deliveries', () => {
    expect(capabilityWarnings(busWith({ deliveryCount: true }), { maxDeliveries: 3 })).toEqual([]);
  });

  it('says nothing about a default nobody set', () => {
    expect(capabilityWarnings(busWith({ deliveryCount: false }), {})).toEqual([]);
  });
});
