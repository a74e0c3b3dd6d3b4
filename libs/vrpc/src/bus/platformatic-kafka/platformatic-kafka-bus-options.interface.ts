import type { KafkaCommonOptions } from '../kafka-common/kafka-common-options.interface.js';

/**
 * Settings of the Kafka bus on `@platformatic/kafka`: the same brokers, acks and timeouts as the
 * kafkajs bus, plus extra client options. Plain values only: the client's own types stay out
 * of vRPC's API.
 */
export interface PlatformaticKafkaBusOptions extends KafkaCommonOptions {
  /** Extra options for every `@platformatic/kafka` client (tls, sasl, retries…), passed through as given. */
  client?: Record<string, unknown>;
}
