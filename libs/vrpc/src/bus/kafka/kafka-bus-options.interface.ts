import type { KafkaCommonOptions } from '../kafka-common/kafka-common-options.interface.js';

/**
 * Settings of the built-in Kafka bus (kafkajs). Plain values only: kafkajs' own types stay out
 * of vRPC's API, so that apps on another bus need not install it.
 */
export interface KafkaBusOptions extends KafkaCommonOptions {
  /** Extra kafkajs client settings (ssl, sasl, retry…), passed through as given (not brokers, clientId or logCreator). */
  client?: Record<string, unknown>;
}
