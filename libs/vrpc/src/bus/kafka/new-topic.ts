/** How long a topic just created (by this instance or another) may take to be known to every broker, with its leaders. */
export const NEW_TOPIC_MS = 10_000;

/**
 * A broker's answer for a topic it has not learned of yet. kafkajs' `subscribe` throws it at once
 * (it retries no unknown topic), though on a cluster the broker asked may simply be behind the
 * controller for a moment after the topic was made: worth retrying for `NEW_TOPIC_MS`.
 */
export function isTopicNotYetKnown(error: unknown): boolean {
  const failure = error as { type?: unknown; originalError?: { type?: unknown } } | null | undefined;
  // kafkajs wraps what it gave up retrying in an error of its own, the broker's answer inside.
  return [failure?.type, failure?.originalError?.type].some(
    (type) => type === 'UNKNOWN_TOPIC_OR_PARTITION' || type === 'LEADER_NOT_AVAILABLE',
  );
}
