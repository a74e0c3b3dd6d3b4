import type { VrpcBusOption } from '../bus/bus-config.interface.js';
import type { VrpcProtoOptions } from '../protocol/proto-options.interface.js';
import type { VrpcTopicOptions } from '../protocol/topic-options.interface.js';
import type { VrpcFallbackRoute } from './fallback-route.interface.js';

/** Settings only a client reads (`VrpcModuleOptions.client`). */
export interface VrpcClientOptions {
  /** Default deadline of a call in milliseconds (default 30 000). */
  timeoutMs?: number;
  /** Fallback paths per `package.Service`: see `VrpcFallbackRoute`. */
  fallback?: Record<string, VrpcFallbackRoute>;
  /** Start of this client's instance id, which names its reply group and call ids (default `vrpc`). */
  instanceIdPrefix?: string;
}

/** What `new VrpcClient()` takes: the module options' shared parts and its own. */
export interface VrpcClientConfig {
  /** Service definitions; a raw-only client needs none. */
  protos?: VrpcProtoOptions | VrpcProtoOptions[];
  /** The bus, when none is given to the constructor (default `'kafka'`). */
  bus?: VrpcBusOption;
  topics?: VrpcTopicOptions;
  client?: VrpcClientOptions;
}
