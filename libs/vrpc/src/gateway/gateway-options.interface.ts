import type { ChannelCredentials, ChannelOptions } from '@grpc/grpc-js';
import type { VrpcBusOption } from '../bus/bus-config.interface.js';
import type { BusHealth } from '../bus/bus.interface.js';
import type { GatewayTargetHealth } from '../grpc/grpc-target-health.interface.js';
import type { VrpcTopicOptions } from '../protocol/topic-options.interface.js';
import type { VrpcSecurityOptions } from '../protocol/security-options.interface.js';
import type { VrpcServingOptions } from '../serving/serving-options.interface.js';
import type { SubscriptionHealth } from '../serving/serving-health.js';

/** Options of `VrpcGateway`: where requests come from (as for a server) and where they go. */
export interface VrpcGatewayOptions extends VrpcServingOptions {
  /** `package.Service` → the gRPC server that serves it (`host:port`, or any grpc-js target). */
  targets: Record<string, string>;
  /** The bus, when none is given to the constructor (default `'kafka'`): a name, a config or an instance. */
  bus?: VrpcBusOption;
  topics?: VrpcTopicOptions;
  /** Signed envelopes, as a server's: requests checked before they are forwarded, replies signed. */
  security?: VrpcSecurityOptions;
  /** Credentials of the channels to the targets (default: insecure). */
  credentials?: ChannelCredentials;
  /** grpc-js options of those channels, over the gateway's defaults (reconnect backoff at most 5 s). */
  channelOptions?: ChannelOptions;
}

/** Lifecycle of a gateway. */
export type VrpcGatewayState = 'idle' | 'starting' | 'running' | 'closing' | 'closed';

/** What `VrpcGateway.health()` reports. */
export interface VrpcGatewayHealth {
  /**
   * Running, the bus reachable, every subscription consuming and no lag over `maxLag` (as
   * `VrpcServer.health()`); an unreachable target is reported, not counted.
   */
  healthy: boolean;
  state: VrpcGatewayState;
  bus: BusHealth;
  subscriptions: SubscriptionHealth[];
  /** Why it is unhealthy, one line each. */
  reasons: string[];
  /** Requests being forwarded now. */
  inFlight: number;
  targets: GatewayTargetHealth[];
}
