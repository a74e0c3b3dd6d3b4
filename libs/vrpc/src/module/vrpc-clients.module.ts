import { type BeforeApplicationShutdown, type DynamicModule, Inject, Module, type Provider } from '@nestjs/common';
import type { VrpcBus } from '../bus/bus.interface.js';
import { VrpcClient } from '../client/vrpc-client.js';
import type { VrpcModuleOptions, VrpcNamedClientOptions } from './vrpc-options.interface.js';
import { getVrpcClientToken } from './vrpc-client.token.js';
import { VRPC_BUS, VRPC_MODULE_OPTIONS } from './vrpc.tokens.js';

/** The clients one `registerClient()` made, so that its module can close them. */
const REGISTERED_CLIENTS = Symbol('VRPC_REGISTERED_CLIENTS');

/** A named client on the root module's bus, with the root's topics and security. */
function namedClientProvider({ name, protos, client }: VrpcNamedClientOptions): Provider {
  return {
    provide: getVrpcClientToken(name),
    useFactory: (root: VrpcModuleOptions, bus: VrpcBus) =>
      new VrpcClient({ protos, topics: root.topics, security: root.security, client }, bus),
    inject: [VRPC_MODULE_OPTIONS, VRPC_BUS],
  };
}

/**
 * Named clients that share the bus of a global `VrpcModule.forRoot()` (see
 * `VrpcModule.registerClient()`): each has its own protos and client settings, none its own bus.
 */
@Module({})
export class VrpcClientsModule implements BeforeApplicationShutdown {
  constructor(@Inject(REGISTERED_CLIENTS) private readonly clients: VrpcClient[]) {}

  /** The module's bus closes on shutdown: its clients close before, failing the calls still waiting. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close()));
  }

  static register(clients: VrpcNamedClientOptions[]): DynamicModule {
    const tokens = clients.map((client) => getVrpcClientToken(client.name));
    return {
      module: VrpcClientsModule,
      providers: [
        ...clients.map(namedClientProvider),
        { provide: REGISTERED_CLIENTS, useFactory: (...made: VrpcClient[]) => made, inject: tokens },
      ],
      exports: tokens,
    };
  }
}
