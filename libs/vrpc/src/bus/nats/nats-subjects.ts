import { VrpcBusError } from '../../errors/vrpc-bus.error.js';

/**
 * How vRPC topics map onto JetStream. A topic `T` is one stream that captures the subject `T`
 * (messages for the topic's consumer groups) and `_vrpc.p.T.*` (messages addressed to one
 * partition, i.e. to one client's inbox). Partition subjects live under a prefix of their own
 * so that no two topics' streams overlap, even when one topic name extends another.
 */
const TOKEN = /^[A-Za-z0-9_-]+$/;

/** The subject prefix reserved for partition-addressed messages. */
export const PARTITION_SUBJECT_PREFIX = '_vrpc.p';

/** Checks that a topic is usable as a NATS subject (dot-separated tokens, no wildcards). */
export function checkedTopic(topic: string): string {
  if (!topic.split('.').every((token) => TOKEN.test(token))) {
    throw new VrpcBusError('nats', `"${topic}" cannot be a NATS subject: use letters, digits, "_", "-" and single dots`);
  }
  return topic;
}

/** The stream that holds a topic. */
export function streamName(prefix: string, topic: string): string {
  return `${prefix}${checkedTopic(topic).replace(/\./g, '_')}`;
}

/** The subjects a topic's stream captures. */
export function streamSubjects(topic: string): string[] {
  return [checkedTopic(topic), `${PARTITION_SUBJECT_PREFIX}.${topic}.*`];
}

/** The subject a message goes to. */
export function publishSubject(topic: string, partition: number | undefined): string {
  return partition === undefined ? checkedTopic(topic) : `${PARTITION_SUBJECT_PREFIX}.${checkedTopic(topic)}.${partition}`;
}

/** A durable consumer name for a group (names may not contain dots). */
export function durableName(group: string): string {
  return group.replace(/[^A-Za-z0-9_-]/g, '_');
}
