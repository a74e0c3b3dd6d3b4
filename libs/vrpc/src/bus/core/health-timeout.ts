/** How long a bus's `health()` waits for its broker before it answers unhealthy. */
export const HEALTH_TIMEOUT_MS = 1_500;

/** How long one lag query may take: a dead broker must not hang a metrics collection or a health check. */
export const LAG_TIMEOUT_MS = 2_000;
