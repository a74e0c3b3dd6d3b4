import type { KafkaConfig } from 'kafkajs';
import type { KafkaCommonOptions } from '../kafka-common/kafka-common-options.interface.js';

/** Settings of the built-in Kafka bus (kafkajs). */
export interface KafkaBusOptions extends KafkaCommonOptions {
  /** Extra kafkajs client settings (ssl, sasl, retry…). */
  client?: Omit<KafkaConfig, 'brokers' | 'clientId' | 'logCreator'>;
}
