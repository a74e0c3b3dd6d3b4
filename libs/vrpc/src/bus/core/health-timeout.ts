/** How long a bus's `health()` waits for its broker before it answers unhealthy. */
export const HEALTH_TIMEOUT_MS = 1_500;
