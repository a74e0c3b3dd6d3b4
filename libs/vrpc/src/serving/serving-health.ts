import type { BusHealth, BusSubscription, PartitionLag, VrpcBus } from '../bus/bus.interface.js';

/** What `health()` checks beyond the bus answering. */
export interface VrpcHealthOptions {
  /** Largest lag (messages) allowed on any partition; none by default. */
  maxLag?: number;
  /** How long the bus and each lag query may take (default 2 s): later counts as unreachable. */
  timeoutMs?: number;
}

/** One subscription of a server (or gateway), as a health check sees it. */
export interface SubscriptionHealth {
  topics: string[];
  group: string;
  consuming: boolean;
  restarts: number;
  lastError?: string;
  /** Per partition; empty when the bus cannot tell, or the query failed (then a reason says so). */
  lag: PartitionLag[];
}

/** A health report: healthy only when `reasons` is empty. */
export interface VrpcHealthReport {
  healthy: boolean;
  bus: BusHealth;
  subscriptions: SubscriptionHealth[];
  /** Why it is unhealthy, one line each; empty when healthy. */
  reasons: string[];
}

/** A subscription with what it was made for. */
export interface WatchedSubscription {
  topics: string[];
  group: string;
  subscription: BusSubscription;
}

export const DEFAULT_HEALTH_TIMEOUT_MS = 2_000;

/** Rejects when `promise` has not settled within `ms`. */
export function withinTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const text = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Checks the bus and each subscription (state and lag) concurrently, each bounded by `timeoutMs`. */
export async function servingHealth(
  bus: VrpcBus,
  watched: readonly WatchedSubscription[],
  options: VrpcHealthOptions = {},
): Promise<VrpcHealthReport> {
  const ms = options.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  const reasons: string[] = [];
  const busCheck = withinTimeout(bus.health(), ms, 'the bus').catch((error: unknown): BusHealth => ({
    healthy: false,
    details: text(error),
  }));
  const subscriptions = await Promise.all(watched.map((entry) => subscriptionHealth(entry, ms, reasons)));
  const health = await busCheck;
  if (!health.healthy) reasons.unshift('the bus is unreachable');
  for (const entry of subscriptions) {
    const name = entry.topics.join(',');
    if (!entry.consuming) reasons.push(`${name} (group ${entry.group}) is not consuming`);
    const over = entry.lag.filter(({ lag }) => options.maxLag !== undefined && lag > options.maxLag);
    for (const { topic, partition, lag } of over) reasons.push(`${topic}[${partition}] lag ${lag} is over ${options.maxLag}`);
  }
  return { healthy: reasons.length === 0, bus: health, subscriptions, reasons };
}

async function subscriptionHealth(entry: WatchedSubscription, ms: number, reasons: string[]): Promise<SubscriptionHealth> {
  const { topics, group, subscription } = entry;
  const state = subscription.state?.() ?? { consuming: true, restarts: 0 };
  let lag: PartitionLag[] = [];
  if (subscription.lag) {
    try {
      lag = await withinTimeout(subscription.lag(), ms, `the lag of ${topics.join(',')}`);
    } catch (error: unknown) {
      reasons.push(text(error));
    }
  }
  return { topics, group, ...state, lag };
}
