// `@vrpc/nestjs/nats`: the NATS JetStream bus. Needs `@nats-io/transport-node` and
// `@nats-io/jetstream`, loaded when the bus connects.
export { NatsBus } from './bus/nats/nats.bus.js';
export type { NatsBusOptions } from './bus/nats/nats-bus-options.interface.js';
