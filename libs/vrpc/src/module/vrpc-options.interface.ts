import type { VrpcClientConfig, VrpcClientOptions } from '../client/client-options.interface.js';
import type { VrpcProtoOptions } from '../protocol/proto-options.interface.js';
import type { VrpcServerConfig } from '../server/server-options.interface.js';

/**
 * Options of `VrpcModule.forRoot()`, by role: `protos`, `bus` and `topics` are shared by the
 * client and the server; `client` and `server` hold what only one of them reads.
 */
export interface VrpcModuleOptions extends VrpcClientConfig, VrpcServerConfig {}

/** A named client of `VrpcModule.registerClient()`: its own services and settings, on the root module's bus. */
export interface VrpcNamedClientOptions {
  /** Injected with `@InjectVrpcClient(name)` (token `getVrpcClientToken(name)`). */
  name: string;
  /** The services this client calls; a raw-only client needs none. */
  protos?: VrpcProtoOptions | VrpcProtoOptions[];
  client?: VrpcClientOptions;
}
