import { connect } from 'node:net';
import { type ConsumerConfig, type ISocketFactory, Kafka, logLevel } from 'kafkajs';

/**
 * Settings of the floor, chosen for latency: this contender is what kafkajs and the broker
 * allow at best, so every knob that helps is turned.
 */
export const RAW_TUNING = {
  /** One partition per topic: one fetch carries everything, no per-partition batch overhead. */
  requestPartitions: 1,
  replyPartitions: 1,
  /** Leader-only acks: on a single broker the same durability as -1, and never slower. */
  acks: 1,
  /** Broker answers a fetch as soon as 1 byte is there; the wait only bounds idle polling. */
  maxWaitTimeInMs: 100,
  minBytes: 1,
  /** The server commits in the background, never between a fetch and the next. */
  autoCommitInterval: 1_000,
} as const;

/**
 * kafkajs opens its sockets without TCP_NODELAY; Nagle's algorithm then holds small
 * requests back while an earlier one is unacknowledged.
 */
const noDelaySockets: ISocketFactory = ({ host, port, onConnect }) => {
  const socket = connect({ host, port, noDelay: true }, onConnect);
  socket.setKeepAlive(true, 60_000);
  return socket;
};

/** A kafkajs client for the floor: quiet except for errors, Nagle off. */
export function rawKafka(clientId: string, brokers: string[]): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.ERROR, socketFactory: noDelaySockets });
}

/** Consumer settings shared by the floor's server and client. */
export function rawConsumerConfig(groupId: string): ConsumerConfig {
  return {
    groupId,
    maxWaitTimeInMs: RAW_TUNING.maxWaitTimeInMs,
    minBytes: RAW_TUNING.minBytes,
    allowAutoTopicCreation: false,
    readUncommitted: true,
  };
}
