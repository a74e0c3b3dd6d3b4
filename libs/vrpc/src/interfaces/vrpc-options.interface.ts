import type { VrpcBus } from '../bus/bus.interface.js';
import type { KafkaBusOptions } from '../bus/kafka/kafka-bus-options.interface.js';
import type { VrpcTasksOptions } from '../task/task-options.interface.js';
import type { VrpcProtoOptions } from './proto-options.interface.js';
import type { VrpcTopicOptions } from './topic-options.interface.js';

/** Options of `VrpcModule.forRoot()`, `new VrpcClient()` and `new VrpcServer()`. */
export interface VrpcModuleOptions {
  /** Service definitions (proto files and packages). */
  protos: VrpcProtoOptions | VrpcProtoOptions[];
  /**
   * The message bus: a plugin instance, or a built-in by name (`kafka`, the default, or `memory`).
   * A bus provided under the `VRPC_BUS` token takes precedence.
   */
  bus?: VrpcBus | 'kafka' | 'memory';
  /** Settings of the built-in Kafka bus. */
  kafka?: KafkaBusOptions;
  /** Topic naming and provisioning. */
  topics?: VrpcTopicOptions;
  /** Default deadline of a call in milliseconds (default 30 000). */
  timeoutMs?: number;
  /** Requests processed at once by one server (default 64). */
  concurrency?: number;
  /** Prefix of the server consumer group; the group is `<prefix><package.Service>` (default `vrpc.`). */
  groupPrefix?: string;
  /** Identifies this client in envelopes and reply groups (default: random). */
  clientId?: string;
  /** Task-level singletons: where leases and results live, default TTL and lease. */
  tasks?: VrpcTasksOptions;
}
