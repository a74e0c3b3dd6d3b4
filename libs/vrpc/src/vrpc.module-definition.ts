import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { VrpcModuleOptions } from './interfaces/vrpc-options.interface.js';
import { VRPC_MODULE_OPTIONS } from './vrpc.constants.js';

/** Extras of `forRoot`/`forRootAsync` that shape the module rather than configure it. */
export interface VrpcModuleExtras {
  /** Register the module globally. */
  isGlobal?: boolean;
  /** Also provide the client under `getVrpcClientToken(name)`, for apps with several. */
  name?: string;
}

export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<VrpcModuleOptions>({ optionsInjectionToken: VRPC_MODULE_OPTIONS })
    .setClassMethodName('forRoot')
    .setExtras<VrpcModuleExtras>({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
    .build();
