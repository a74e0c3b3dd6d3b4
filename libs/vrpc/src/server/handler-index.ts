import type { MessageHandler } from '@nestjs/microservices';
import type { ProtoRegistry } from '../protocol/proto-registry.js';

/** Key of a handler: `package.Service/Method`. */
export const handlerKey = (fullServiceName: string, method: string): string => `${fullServiceName}/${method}`;

/**
 * Finds the `@GrpcMethod` handlers among the server's patterns and indexes them by full
 * service name, accepting `Greeter` and `pkg.Greeter` alike (as Nest's gRPC transport does).
 */
export function indexGrpcHandlers(handlers: Map<string, MessageHandler>, registry: ProtoRegistry): Map<string, MessageHandler> {
  const index = new Map<string, MessageHandler>();
  for (const [route, handler] of handlers) {
    let pattern: unknown;
    try {
      pattern = JSON.parse(route);
    } catch {
      continue;
    }
    const { service, rpc } = (pattern ?? {}) as { service?: unknown; rpc?: unknown };
    if (typeof service !== 'string' || typeof rpc !== 'string') continue;
    const found = registry.find(service);
    if (found) index.set(handlerKey(found.fullName, rpc), handler);
  }
  return index;
}
