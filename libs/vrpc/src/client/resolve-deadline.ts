import type { VrpcCallOptions } from './call-options.interface.js';

/** The absolute deadline of a call: its own deadline, else its timeout, else the default. */
export function resolveDeadline(options: VrpcCallOptions | undefined, defaultTimeoutMs: number, now = Date.now()): number {
  const deadline = options?.deadline;
  if (deadline instanceof Date) return deadline.getTime();
  if (typeof deadline === 'number' && Number.isFinite(deadline)) return deadline;
  return now + (options?.timeoutMs ?? defaultTimeoutMs);
}
