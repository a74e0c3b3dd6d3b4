/** Settings of the NATS JetStream bus. Plain values only: the NATS client's own types stay out of vRPC's API. */
export interface NatsBusOptions {
  /** Servers (default: `VRPC_NATS_SERVERS`, comma-separated, else `127.0.0.1:4222`). */
  servers?: string | string[];
  /** Client id of the connection; its name when `name` is not given (default `vrpc`). */
  clientId?: string;
  /** Connection name shown by the server (default: `clientId`, else `vrpc`). */
  name?: string;
  user?: string;
  pass?: string;
  token?: string;
  /** Extra options for the NATS client's `connect()` (tls, authenticator…), passed through as given. */
  connection?: Record<string, unknown>;
  /** Prefix of the stream names vRPC creates (default `vrpc_`): a topic `a.b` is stream `<prefix>a_b`. */
  streamPrefix?: string;
  /** How long streams keep messages, in ms (default 7 days, as Kafka's default retention). */
  maxAgeMs?: number;
  /** Stream storage (default `file`). */
  storage?: 'file' | 'memory';
  /** How long a delivered, unacknowledged message waits before it is redelivered, in ms (default 30 000). */
  ackWaitMs?: number;
  /** Delay before a message whose handler rejected is delivered again, in ms (default 1 000). */
  retryDelayMs?: number;
  /** Longest a pull request waits for messages, in ms (default 5 000, at least 1 000): bounds idle traffic. */
  fetchExpiresMs?: number;
}
