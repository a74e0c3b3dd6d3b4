import type { ChannelCredentials, ChannelOptions } from '@grpc/grpc-js';
import type { BusHealth } from '../bus/bus.interface.js';
import type { GatewayTargetHealth } from '../grpc/grpc-target-health.interface.js';
import type { VrpcModuleOptions } from '../module/vrpc-options.interface.js';

/** Options of `VrpcGateway`: where requests come from (as for a server) and where they go. */
export interface VrpcGatewayOptions
  extends Pick<VrpcModuleOptions, 'bus' | 'kafka' | 'topics' | 'groupPrefix' | 'concurrency' | 'clientId' | 'maxDeliveries'> {
  /** `package.Service` → the gRPC server that serves it (`host:port`, or any grpc-js target). */
  targets: Record<string, string>;
  /** Credentials of the channels to the targets (default: insecure). */
  credentials?: ChannelCredentials;
  /** grpc-js options of those channels, over the gateway's defaults (reconnect backoff at most 5 s). */
  channelOptions?: ChannelOptions;
}

/** Lifecycle of a gateway. */
export type VrpcGatewayState = 'idle' | 'starting' | 'running' | 'closing' | 'closed';

/** What `VrpcGateway.health()` reports. */
export interface VrpcGatewayHealth {
  /** Running and the bus is reachable; an unreachable target is reported, not counted. */
  healthy: boolean;
  state: VrpcGatewayState;
  bus: BusHealth;
  /** Requests being forwarded now. */
  inFlight: number;
  targets: GatewayTargetHealth[];
}
