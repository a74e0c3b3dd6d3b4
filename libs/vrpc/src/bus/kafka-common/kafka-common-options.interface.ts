/** The codecs a Kafka bus can compress what it produces with (every one of them is read). */
export type KafkaCompression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** Settings both Kafka buses (kafkajs and `@platformatic/kafka`) understand, with the same defaults (`KAFKA_DEFAULTS`). */
export interface KafkaCommonOptions {
  /** Bootstrap brokers (default: `VRPC_KAFKA_BROKERS`, comma-separated, else `127.0.0.1:9092`). */
  brokers?: string[];
  /** Kafka client id (default `vrpc`). */
  clientId?: string;
  /** Acks required for a publish: -1 all in-sync replicas (default), 1 leader only. */
  acks?: -1 | 0 | 1;
  /** Consumer session timeout in ms (default 10 000): how soon a dead server's requests move to another. */
  sessionTimeoutMs?: number;
  /** Longest a fetch waits for data, in ms (default 100): bounds how quickly a consumer stops. */
  maxWaitTimeMs?: number;
  /** How often a consumer commits finished requests, in ms (default 100). */
  commitIntervalMs?: number;
  /**
   * How requests, replies and dead letters this bus produces are compressed (default `none`).
   * `zstd` needs Node >= 22.15 (its zlib writes zstd); on older Nodes it is refused at start.
   */
  compression?: KafkaCompression;
  /**
   * Largest message vRPC publishes, in bytes of value, key and headers (default 1 048 076: the
   * broker's default `message.max.bytes`, 1 048 588, less room for the batch's framing). Set it
   * from your brokers' and topics' `message.max.bytes` when they differ.
   */
  maxMessageBytes?: number;
}
