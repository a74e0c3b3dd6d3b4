import type { Metadata } from '@grpc/grpc-js';
import type { Observable } from 'rxjs';
import type { RpcService } from '../protocol/proto-registry.js';
import type { VrpcCallOptions } from './call-options.interface.js';

/** What starts the calls of a service client; the client supplies it. */
export interface ServiceCaller {
  call(service: RpcService, method: string, data: unknown, metadata?: Metadata, options?: VrpcCallOptions): Observable<unknown>;
}

/**
 * Builds the object `getService()` returns: one function per RPC, under both the proto name
 * (`SayHello`) and the lowerCamelCase one (`sayHello`), as `ClientGrpc` does; streaming methods
 * go to `streamCaller`.
 */
export function createServiceClient<T>(service: RpcService, caller: ServiceCaller, streamCaller: ServiceCaller = caller): T {
  const client: Record<string, unknown> = {};
  for (const method of service.methods.values()) {
    const target = method.streaming ? streamCaller : caller;
    const invoke = (data: unknown, metadata?: Metadata, options?: VrpcCallOptions) =>
      target.call(service, method.name, data, metadata, options);
    client[method.name] = invoke;
    client[method.originalName] = invoke;
  }
  return client as T;
}
