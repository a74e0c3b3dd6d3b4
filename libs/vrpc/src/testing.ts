// `@vrpc/nestjs/testing`: what tests of apps and bus plugins need. The in-memory bus runs vRPC
// in one process without a broker.
export { MemoryBus } from './bus/memory/memory.bus.js';

// MERGE: the bus conformance suite for plugin authors (needs `vitest`, an optional peer) goes
// here once `testing/bus-conformance.ts` is merged; then run `npm run api:report`:
// export { describeBusConformance } from './testing/bus-conformance.js';
