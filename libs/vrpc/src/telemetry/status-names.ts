import { status } from '@grpc/grpc-js';

/** The name of a gRPC status code (`DEADLINE_EXCEEDED`), or its number as text when it has none. */
export function statusName(code: number): string {
  return (status as unknown as Record<number, string | undefined>)[code] ?? String(code);
}

/** Codes a server answers that are its own failure, not the caller's (the RPC conventions' server errors). */
const SERVER_ERRORS = new Set<number>([
  status.UNKNOWN,
  status.DEADLINE_EXCEEDED,
  status.UNIMPLEMENTED,
  status.INTERNAL,
  status.UNAVAILABLE,
  status.DATA_LOSS,
]);

/** Whether a span of `side` ending with `code` is an error: every non-OK on the client, the server's own failures on the server. */
export function isSpanError(side: 'client' | 'server', code: number): boolean {
  return side === 'client' ? code !== Number(status.OK) : SERVER_ERRORS.has(code);
}
