import type { VrpcBusOption } from '../bus/bus-config.interface.js';
import type { VrpcProtoOptions } from '../protocol/proto-options.interface.js';
import type { VrpcTopicOptions } from '../protocol/topic-options.interface.js';
import type { VrpcSecurityOptions } from '../protocol/security-options.interface.js';
import type { VrpcServingOptions } from '../serving/serving-options.interface.js';
import type { VrpcTasksOptions } from '../task/task-options.interface.js';

/** Settings only a server reads (`VrpcModuleOptions.server`). */
export interface VrpcServerOptions extends VrpcServingOptions {
  /** Task-level singletons: where leases and results live, default TTL and lease. */
  tasks?: VrpcTasksOptions;
}

/** What `new VrpcServer()` takes: the module options' shared parts and its own. */
export interface VrpcServerConfig {
  /** Service definitions of the handlers to serve. */
  protos?: VrpcProtoOptions | VrpcProtoOptions[];
  /** The bus, when none is given to the constructor (default `'kafka'`). */
  bus?: VrpcBusOption;
  topics?: VrpcTopicOptions;
  /** Signed envelopes: requests are checked before they run, replies signed (see `VrpcSecurityOptions`). */
  security?: VrpcSecurityOptions;
  server?: VrpcServerOptions;
}
