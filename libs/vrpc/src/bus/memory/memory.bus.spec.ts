import { CountingBus, describeBusConformance, describeVrpcOnBus } from '@vrpc/test-support';
import { createBus } from '../create-bus.js';
import { MemoryBus } from './memory.bus.js';

describeBusConformance({
  name: 'in-memory',
  // A limit, so that the size tests run here too.
  create: () => new MemoryBus(4, 1_048_576),
  // One process, one broker: members meet only on the same instance.
  membersShareOneBus: true,
  waitMs: 5_000,
  // Messages go to the members present when they are published; nothing is stored.
  keepsMessagesBeforeFirstMember: false,
  keepsMessagesWhileGroupAway: false,
});

describeVrpcOnBus({
  name: 'in-memory',
  options: () => ({ bus: 'memory' }),
  create: () => createBus('memory'),
  clientsShareOneBus: true,
});

// The example plugin of docs/plugins/writing-a-plugin.md, held to the same contract.
describeBusConformance({
  name: 'example: CountingBus over the in-memory bus',
  create: () => new CountingBus(new MemoryBus()),
  membersShareOneBus: true,
  waitMs: 5_000,
  keepsMessagesBeforeFirstMember: false,
  keepsMessagesWhileGroupAway: false,
});
