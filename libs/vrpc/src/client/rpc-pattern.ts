/** Reads `{ service, rpc }` or `'Service/Method'` as given to `send()`/`emit()`. */
export function parseRpcPattern(pattern: unknown): { service: string; rpc: string } {
  if (typeof pattern === 'string' && pattern.includes('/')) {
    const slash = pattern.lastIndexOf('/');
    return { service: pattern.slice(0, slash).replace(/^\//, ''), rpc: pattern.slice(slash + 1) };
  }
  const { service, rpc } = (pattern ?? {}) as { service?: unknown; rpc?: unknown };
  if (typeof service === 'string' && typeof rpc === 'string') return { service, rpc };
  throw new Error(`vRPC: pattern must be { service, rpc } or "Service/Method", got ${JSON.stringify(pattern)}`);
}
