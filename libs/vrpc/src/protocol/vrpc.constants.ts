/** Message headers that standard broker tools can read. */
export const VRPC_HEADERS = {
  id: 'vrpc-id',
  service: 'vrpc-service',
  method: 'vrpc-method',
  status: 'vrpc-status',
  deadReason: 'vrpc-dead-reason',
  deadSource: 'vrpc-dead-source',
  /**
   * On a dead letter that is a truncated copy (the message was too large for the broker): why
   * it was cut (`too-large: <bytes> bytes over the limit of <limit>`).
   */
  deadTruncated: 'vrpc-dead-truncated',
  /** On a truncated dead letter: the size of the original value, in bytes. */
  deadOriginalBytes: 'vrpc-dead-original-bytes',
  /** The message key, on buses whose messages have none of their own (NATS, AMQP). */
  busKey: 'vrpc-bus-key',
} as const;

/** Metadata key that says which path served a call: `bus` or `direct`. */
export const VRPC_PATH_METADATA = 'vrpc-path';

/** Metadata key that carries a task key on a call. */
export const VRPC_TASK_KEY_METADATA = 'vrpc-task-key';

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_CONCURRENCY = 64;
export const DEFAULT_REQUEST_PARTITIONS = 8;
export const DEFAULT_REPLY_PARTITIONS = 16;
export const DEFAULT_REQUEST_TOPIC_PREFIX = 'vrpc.req.';
export const DEFAULT_REPLY_TOPIC = 'vrpc.replies';
export const DEFAULT_DEAD_LETTER_TOPIC = 'vrpc.dead-letter';
/** Topic of the servers' stream inboxes. */
export const DEFAULT_STREAMS_TOPIC = 'vrpc.streams';
export const DEFAULT_STREAM_PARTITIONS = 16;
export const DEFAULT_GROUP_PREFIX = 'vrpc.';
export const DEFAULT_TASK_TTL_MS = 60_000;
export const DEFAULT_TASK_LEASE_MS = 30_000;
export const DEFAULT_TASK_POLL_MS = 50;
export const DEFAULT_MAX_DELIVERIES = 5;
/** Longest a closing subscription waits for requests in flight, in ms. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
/** Longest a server retries publishing a reply or a dead letter after a retriable failure, in ms. */
export const DEFAULT_PUBLISH_RETRY_MS = 5_000;
