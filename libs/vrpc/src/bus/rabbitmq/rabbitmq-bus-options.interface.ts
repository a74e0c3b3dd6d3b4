/** Settings of the RabbitMQ bus. Plain values only: amqplib's own types stay out of vRPC's API. */
export interface RabbitMqBusOptions {
  /** AMQP URL (default: `VRPC_RABBITMQ_URL`, else `amqp://guest:guest@127.0.0.1:5672`). */
  url?: string;
  /** Extra socket options for amqplib's `connect()` (tls…), passed through as given. */
  socket?: Record<string, unknown>;
  /** Type of the queues vRPC declares for consumer groups (default `quorum`: replicated, durable). */
  queueType?: 'quorum' | 'classic';
  /** Delay before a message whose handler rejected is requeued, in ms (default 1 000). */
  retryDelayMs?: number;
  /** An inbox queue nobody consumes is deleted after this long, in ms (default 5 minutes). */
  inboxExpiresMs?: number;
  /** Longest delay between reconnect attempts, in ms (default 5 000): a dropped connection is always reopened, waiting from 100 ms up to this. */
  reconnectMaxDelayMs?: number;
  /** Largest message published, in bytes (default 16 MiB, the broker's `max_message_size` since RabbitMQ 4.0). */
  maxMessageBytes?: number;
}
