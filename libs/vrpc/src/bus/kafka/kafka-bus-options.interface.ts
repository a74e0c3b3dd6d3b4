import type { KafkaConfig } from 'kafkajs';

/** Settings of the built-in Kafka bus (kafkajs). */
export interface KafkaBusOptions {
  /** Bootstrap brokers (default: `VRPC_KAFKA_BROKERS`, comma-separated, else `127.0.0.1:9092`). */
  brokers?: string[];
  /** kafkajs client id (default `vrpc`). */
  clientId?: string;
  /** Extra kafkajs client settings (ssl, sasl, retry…). */
  client?: Omit<KafkaConfig, 'brokers' | 'clientId' | 'logCreator'>;
  /** Acks required for a publish: -1 all in-sync replicas (default), 1 leader only. */
  acks?: -1 | 0 | 1;
  /** Consumer session timeout in ms (default 10 000): how soon a dead server's requests move to another. */
  sessionTimeoutMs?: number;
  /** Longest a fetch waits for data, in ms (default 100): bounds how quickly a consumer stops. */
  maxWaitTimeMs?: number;
  /** How often a consumer commits finished requests, in ms (default 100). */
  commitIntervalMs?: number;
}

/** Brokers from the options, else from `VRPC_KAFKA_BROKERS`, else the local default. */
export function resolveBrokers(options: KafkaBusOptions | undefined): string[] {
  if (options?.brokers?.length) return options.brokers;
  const fromEnv = process.env.VRPC_KAFKA_BROKERS?.split(',').map((b) => b.trim()).filter(Boolean);
  return fromEnv?.length ? fromEnv : ['127.0.0.1:9092'];
}
