import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { VrpcBus } from '../bus/bus.interface.js';
import { createBus } from '../bus/create-bus.js';
import { VrpcClient } from '../client/vrpc-client.js';
import type { VrpcModuleOptions, VrpcNamedClientOptions } from './vrpc-options.interface.js';
import { VrpcServer } from '../server/vrpc-server.js';
import { createTaskStore } from '../task/create-task-store.js';
import type { TaskStore } from '../task/task-store.interface.js';
import { getVrpcClientToken } from './vrpc-client.token.js';
import { VrpcClientsModule } from './vrpc-clients.module.js';
import { VRPC_BUS, VRPC_MODULE_OPTIONS, VRPC_TASK_STORE } from './vrpc.tokens.js';
import { ASYNC_OPTIONS_TYPE, ConfigurableModuleClass, OPTIONS_TYPE, type VrpcModuleExtras } from './vrpc.module-definition.js';

export { getVrpcClientToken, InjectVrpcClient } from './vrpc-client.token.js';

const defaultBusProvider: Provider = {
  provide: VRPC_BUS,
  useFactory: (options: VrpcModuleOptions) => createBus(options.bus),
  inject: [VRPC_MODULE_OPTIONS],
};

const coreProviders: Provider[] = [
  {
    provide: VrpcClient,
    useFactory: (options: VrpcModuleOptions, bus: VrpcBus) => new VrpcClient(options, bus),
    inject: [VRPC_MODULE_OPTIONS, VRPC_BUS],
  },
  {
    provide: VRPC_TASK_STORE,
    useFactory: (options: VrpcModuleOptions) => createTaskStore(options.server?.tasks),
    inject: [VRPC_MODULE_OPTIONS],
  },
  {
    provide: VrpcServer,
    useFactory: (options: VrpcModuleOptions, bus: VrpcBus, tasks: TaskStore) => new VrpcServer(options, bus, tasks),
    inject: [VRPC_MODULE_OPTIONS, VRPC_BUS, VRPC_TASK_STORE],
  },
];

function withCore(module: DynamicModule, { name, busProvider }: VrpcModuleExtras): DynamicModule {
  const named: Provider[] = name ? [{ provide: getVrpcClientToken(name), useExisting: VrpcClient }] : [];
  const bus: Provider = busProvider ? ({ ...busProvider, provide: VRPC_BUS } as Provider) : defaultBusProvider;
  const providers = [...(module.providers ?? []), bus, ...coreProviders, ...named];
  return {
    ...module,
    providers,
    exports: [
      ...(module.exports ?? []),
      VrpcClient,
      VrpcServer,
      VRPC_BUS,
      VRPC_TASK_STORE,
      VRPC_MODULE_OPTIONS,
      ...named.map((p) => (p as { provide: string }).provide),
    ],
  };
}

/**
 * vRPC for NestJS: `VrpcClient` calls gRPC services over a message bus, `VrpcServer` serves
 * the app's `@GrpcMethod` handlers from it. One bus, one client and one server per module
 * instance, shared by everything that injects them; `registerClient()` adds named clients on
 * the same bus.
 */
@Module({})
export class VrpcModule extends ConfigurableModuleClass implements OnApplicationShutdown {
  constructor(
    @Inject(VRPC_BUS) private readonly bus: VrpcBus,
    @Inject(VRPC_TASK_STORE) private readonly taskStore: TaskStore,
  ) {
    super();
  }

  static override forRoot(options: typeof OPTIONS_TYPE): DynamicModule {
    return withCore(super.forRoot(options), options);
  }

  static override forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    return withCore(super.forRootAsync(options), options);
  }

  /**
   * More named clients (their own protos and client settings) on the bus and topics of the
   * root module, which must be global (`forRoot({ isGlobal: true, … })`): one bus for all.
   * Each is injected with `@InjectVrpcClient(name)`.
   */
  static registerClient(...clients: VrpcNamedClientOptions[]): DynamicModule {
    return VrpcClientsModule.register(clients);
  }

  /** Runs after the server and client have closed: the bus and the task store go last. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.bus.close(), this.taskStore.close()]);
  }
}
