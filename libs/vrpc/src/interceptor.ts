// `@vrpc/nestjs/interceptor`: a grpc-js client interceptor that sends chosen calls over vRPC.
export { createVrpcInterceptor, type VrpcInterceptor } from './interceptor/create-vrpc-interceptor.js';
export type {
  VrpcInterceptorClientOptions,
  VrpcInterceptorOptions,
  VrpcInterceptorOwnOptions,
  VrpcRouteOptions,
} from './interceptor/interceptor-options.interface.js';
