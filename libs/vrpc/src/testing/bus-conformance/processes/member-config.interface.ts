import type { VrpcBusConfig } from '../../../bus/bus-config.interface.js';

/** What a member process is told (as JSON in `VRPC_CONFORMANCE_MEMBER`). */
export interface MemberConfig {
  /** The bus config `createBus()` makes the bus from. */
  options?: VrpcBusConfig;
  /** Else: the URL of a module whose default export makes the bus. */
  module?: string;
  topic: string;
  group: string;
  concurrency: number;
  /** Serve requests through the dispatcher, crashing on each one (else: hold what it takes). */
  serve?: { deadLetterTopic: string; maxDeliveries: number };
}
