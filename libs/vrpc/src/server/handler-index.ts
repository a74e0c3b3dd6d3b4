import type { MessageHandler } from '@nestjs/microservices';
import type { ProtoRegistry } from '../protocol/proto-registry.js';

/** Key of a handler: `package.Service/Method`. */
export const handlerKey = (fullServiceName: string, method: string): string => `${fullServiceName}/${method}`;

/** Nest's `streaming` of a `@GrpcStreamCall` pattern (grpc-js' raw call), which vRPC does not carry. */
const STREAM_CALL = 'pt_stream';

/**
 * Finds the `@GrpcMethod` (and `@GrpcStreamMethod`) handlers among the server's patterns and
 * indexes them by full service name, accepting `Greeter` and `pkg.Greeter` alike (as Nest's gRPC
 * transport does). The keys of `@GrpcStreamCall` handlers go to `streamCalls` when given.
 */
export function indexGrpcHandlers(
  handlers: Map<string, MessageHandler>,
  registry: ProtoRegistry,
  streamCalls?: Set<string>,
): Map<string, MessageHandler> {
  const index = new Map<string, MessageHandler>();
  for (const [route, handler] of handlers) {
    let pattern: unknown;
    try {
      pattern = JSON.parse(route);
    } catch {
      continue;
    }
    const { service, rpc, streaming } = (pattern ?? {}) as { service?: unknown; rpc?: unknown; streaming?: unknown };
    if (typeof service !== 'string' || typeof rpc !== 'string') continue;
    const found = registry.find(service);
    if (!found) continue;
    index.set(handlerKey(found.fullName, rpc), handler);
    if (streaming === STREAM_CALL) streamCalls?.add(handlerKey(found.fullName, rpc));
  }
  return index;
}
