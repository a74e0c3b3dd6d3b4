import type { VrpcClient } from '../client/vrpc-client.js';
import type { VrpcClientConfig } from '../client/client-options.interface.js';

/**
 * Which calls go over vRPC. Entries name a service (`package.Service`), a package
 * (`package.*`) or a method (`/package.Service/Method`, leading slash optional).
 */
export interface VrpcRouteOptions {
  /** Calls sent over vRPC; default: every call (unary and streaming). */
  include?: string[];
  /** Calls that stay on the channel even when `include` names them. */
  exclude?: string[];
  /** Decides per call from its gRPC path (`/package.Service/Method`); replaces include/exclude. */
  route?: (path: string) => boolean;
}

/** `createVrpcInterceptor()` with a client the caller owns (and closes). */
export interface VrpcInterceptorClientOptions extends VrpcRouteOptions {
  client: VrpcClient;
}

/** `createVrpcInterceptor()` that makes and owns a client from a client config. */
export interface VrpcInterceptorOwnOptions extends VrpcRouteOptions {
  /** Config of the interceptor's own `VrpcClient` (protos, bus, topics, client); no `protos` needed (calls are raw), but listing the routed services creates their request topics on connect. */
  vrpc: VrpcClientConfig;
}

/** Options of `createVrpcInterceptor()`. */
export type VrpcInterceptorOptions = VrpcInterceptorClientOptions | VrpcInterceptorOwnOptions;
