import { type ClassProvider, ConfigurableModuleBuilder, type ExistingProvider, type FactoryProvider } from '@nestjs/common';
import type { VrpcBus } from '../bus/bus.interface.js';
import type { VrpcModuleOptions } from './vrpc-options.interface.js';
import { VRPC_MODULE_OPTIONS } from './vrpc.tokens.js';

/** Extras of `forRoot`/`forRootAsync` that shape the module rather than configure it. */
export interface VrpcModuleExtras {
  /** Register the module globally. */
  isGlobal?: boolean;
  /** Also provide the root client under `getVrpcClientToken(name)`; more clients: `VrpcModule.registerClient()`. */
  name?: string;
  /** The bus through DI (`useClass`, `useFactory` + `inject`, or `useExisting`); overrides `options.bus`. */
  busProvider?: VrpcBusProvider;
}

/** How the module obtains its bus from DI. */
export type VrpcBusProvider =
  Omit<ClassProvider<VrpcBus>, 'provide'> | Omit<FactoryProvider<VrpcBus>, 'provide'> | Omit<ExistingProvider<VrpcBus>, 'provide'>;

export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } = new ConfigurableModuleBuilder<VrpcModuleOptions>({
  optionsInjectionToken: VRPC_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setExtras<VrpcModuleExtras>({ isGlobal: false, name: undefined, busProvider: undefined }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
