import { type Admin, type ITopicConfig, Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { startKafka, stopKafka } from '../../scripts/kafka/index.mjs';
import { waitFor } from './wait-for.js';

/** A SCRAM user of the secure broker (scripts/kafka/secure.mjs). */
export type SecureUser = 'admin' | 'client' | 'server' | 'gateway' | 'stranger';

/** The project's SASL_SSL (SCRAM-SHA-512) + ACL broker, as a test sees it. */
export interface SecureKafka {
  brokers: string[];
  /** PEM of the throwaway CA the broker's certificate is signed by. */
  ca: string;
  /** kafkajs client settings for `user` (what `bus.client` takes). */
  clientSettings(user: SecureUser, password?: string): Record<string, unknown>;
  /** A kafkajs client that authenticates as `user`, for an attacker or a check. */
  kafka(user: SecureUser, extra?: Partial<KafkaConfig>): Kafka;
  /** Runs `work` with an admin client of the super user. */
  asAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T>;
  /** Stops the broker if this call started it. */
  stop(): Promise<void>;
}

/**
 * Starts (or reuses) the secure broker; bounded by the script's own readiness timeout. Stop it
 * with `stop()` in the file's `afterAll`: only a broker this call started is stopped.
 */
export async function startSecureKafka(timeoutMs = 60_000): Promise<SecureKafka> {
  const { brokers, started, security } = await startKafka({ secure: true, timeoutMs, log: () => undefined });
  if (!security) throw new Error('the secure profile returned no security settings');
  const { ca, users } = security;
  const clientSettings = (user: SecureUser, password = users[user]): Record<string, unknown> => ({
    ssl: { ca },
    sasl: { mechanism: 'scram-sha-512', username: user, password },
  });
  const kafka = (user: SecureUser, extra: Partial<KafkaConfig> = {}): Kafka =>
    new Kafka({
      clientId: `vrpc-test-${user}`,
      brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
      ...(clientSettings(user) as Partial<KafkaConfig>),
      ...extra,
    });
  const secure: SecureKafka = {
    brokers,
    ca,
    clientSettings,
    kafka,
    async asAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
      const admin = kafka('admin').admin();
      await admin.connect();
      try {
        return await work(admin);
      } finally {
        await admin.disconnect();
      }
    },
    async stop(): Promise<void> {
      if (started) await stopKafka({ secure: true, log: () => undefined });
    },
  };
  try {
    // The script cannot authenticate its probe: the first FindCoordinator (which makes the broker
    // create __consumer_offsets) is the super user's, so the apps' consumers find a coordinator.
    // On a freshly formatted broker the coordinator is loading for a while (NOT_COORDINATOR).
    await secure.asAdmin((admin) => waitFor(() => admin.describeGroups(['vrpc-kafka-warmup']).then(ready, notYet), timeoutMs));
  } catch (error: unknown) {
    await secure.stop();
    throw error;
  }
  return secure;
}

const ready = (): boolean => true;
const notYet = (): boolean => false;

/** Creates topics as the super user (the roles below have no CREATE right) and waits for their leaders. */
export async function createTopicsAsAdmin(secure: SecureKafka, topics: ITopicConfig[]): Promise<void> {
  await secure.asAdmin(async (admin) => {
    await admin.createTopics({ waitForLeaders: true, topics });
  });
}

/** Every Kafka error type (`TOPIC_AUTHORIZATION_FAILED`…) in an error and the errors it wraps. */
export function kafkaErrorTypes(error: unknown): string[] {
  const found: string[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (!value || typeof value !== 'object' || depth > 5) return;
    const e = value as { type?: unknown; name?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
    if (typeof e.type === 'string') found.push(e.type);
    if (typeof e.name === 'string' && e.name.startsWith('KafkaJS')) found.push(e.name);
    visit(e.cause, depth + 1);
    visit(e.originalError, depth + 1);
    if (Array.isArray(e.errors)) for (const inner of e.errors) visit(inner, depth + 1);
  };
  visit(error, 0);
  return found;
}

/** What `work` failed with (its Kafka error types), or `['no error']`. */
export async function refusal(work: () => Promise<unknown>): Promise<string[]> {
  try {
    await work();
  } catch (error: unknown) {
    const types = kafkaErrorTypes(error);
    return types.length > 0 ? types : [String(error)];
  }
  return ['no error'];
}
