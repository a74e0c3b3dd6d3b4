// `@vrpc/nestjs/testing`: what tests of apps and bus plugins need. The in-memory bus runs vRPC
// in one process without a broker.
export { MemoryBus } from './bus/memory/memory.bus.js';

// The bus conformance suite, a function plugin authors run in their own vitest specs (needs
// `vitest`, an optional peer).
export { describeBusConformance, type BusPlugin, type CreatedNames } from './testing/bus-conformance.js';
