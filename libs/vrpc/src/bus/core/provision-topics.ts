import { VrpcBusError } from '../../errors/vrpc-bus.error.js';
import { retryUntil } from '../../utils/retry.js';

/** How long a bus keeps trying to create and find its topics at start-up (default). */
export const TOPIC_PROVISIONING_MS = 30_000;

/** Whether a client marked an error (or one it aggregates) as not worth another try. */
function final(error: unknown): boolean {
  const marked = error as { retriable?: unknown; canRetry?: unknown; errors?: unknown[]; cause?: unknown } | null;
  if (!marked || typeof marked !== 'object') return false;
  if (marked.retriable === false || marked.canRetry === false) return true;
  if (Array.isArray(marked.errors) && marked.errors.length > 0 && marked.errors.every(final)) return true;
  return marked.cause !== undefined && final(marked.cause);
}

/**
 * Runs one provisioning attempt (list, create what is missing, wait until every topic is
 * served) until it succeeds. Instances that start at once race to create the same topics, and
 * a cluster that has just started elects leaders for a while: those failures are tried again,
 * with backoff, for at most `timeoutMs`; an error the client marks final is not. Then it fails
 * with a `VrpcBusError` that names the topics.
 */
export async function provisionTopics(
  bus: string,
  topics: string[],
  attempt: () => Promise<void>,
  timeoutMs = TOPIC_PROVISIONING_MS,
): Promise<void> {
  try {
    await retryUntil(Date.now() + timeoutMs, attempt, final);
  } catch (error: unknown) {
    const why = final(error) ? 'the broker refused' : `not done within ${timeoutMs} ms`;
    throw new VrpcBusError(bus, `topics ${topics.join(', ')} could not be provisioned (${why}): ${String(error)}`, { cause: error });
  }
}
