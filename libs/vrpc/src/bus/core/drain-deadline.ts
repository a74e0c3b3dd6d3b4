import { DEFAULT_DRAIN_TIMEOUT_MS } from '../../protocol/vrpc.constants.js';
import type { SubscribeOptions } from '../bus.interface.js';

/** When a subscription closing now stops waiting for its messages in flight (`drainTimeoutMs`). */
export function drainDeadline(options: Pick<SubscribeOptions, 'drainTimeoutMs'>): number {
  return Date.now() + (options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
}
