import { type Interceptor, InterceptingCall } from '@grpc/grpc-js';
import { VrpcClient } from '../client/vrpc-client.js';
import { parseGrpcPath } from '../grpc/grpc-path.js';
import { captureContext } from '../telemetry/captured-context.js';
import type { VrpcInterceptorOptions } from './interceptor-options.interface.js';
import { createRouteMatcher } from './route-matcher.js';
import { VrpcStreamingCall } from './vrpc-streaming-call.js';
import { VrpcUnaryCall } from './vrpc-unary-call.js';

/** A grpc-js client interceptor that sends calls of all four types over vRPC. */
export interface VrpcInterceptor extends Interceptor {
  /** The client the routed calls go through. */
  readonly client: VrpcClient;
  /** Closes the client if the interceptor made it; a client passed in is left to its owner. */
  close(): Promise<void>;
}

function isVrpcClient(value: unknown): value is VrpcClient {
  return typeof (value as Partial<VrpcClient>).callRaw === 'function';
}

/**
 * A `@grpc/grpc-js` client interceptor that reroutes the calls of any grpc-js client
 * (generated, proto-loader, or Nest's `ClientGrpc`) over vRPC: unary, server-streaming,
 * client-streaming and bidi (docs/streaming.md). Put it last in the chain: interceptors after
 * it never see the calls it takes. Calls the route options leave out go through the channel
 * as before.
 */
export function createVrpcInterceptor(source: VrpcClient | VrpcInterceptorOptions): VrpcInterceptor {
  const options = isVrpcClient(source) ? { client: source } : source;
  const owned = !('client' in options);
  const client = 'client' in options ? options.client : new VrpcClient(options.vrpc);
  const routed = createRouteMatcher(options);
  const interceptor: Interceptor = (callOptions, nextCall) => {
    const definition = callOptions.method_definition;
    const target = parseGrpcPath(definition.path);
    if (!target || !routed(definition.path)) return new InterceptingCall(nextCall(callOptions));
    if (definition.requestStream || definition.responseStream) {
      return new InterceptingCall(new VrpcStreamingCall(client, target, callOptions, captureContext()));
    }
    // The caller's context, captured here where grpc-js invokes the interceptor: the vRPC call's span is its child.
    return new InterceptingCall(new VrpcUnaryCall(client, target, callOptions, captureContext()));
  };
  return Object.assign(interceptor, {
    client,
    close: () => (owned ? client.close() : Promise.resolve()),
  });
}
