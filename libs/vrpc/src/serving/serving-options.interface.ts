/** Settings of whatever serves request topics: a `VrpcServer` or a `VrpcGateway`. */
export interface VrpcServingOptions {
  /** Requests processed at once by one server (default 64). */
  concurrency?: number;
  /**
   * Deliveries after which a request that never finished (its server crashed each time) is
   * sent to the dead-letter topic instead of being run again (default 5).
   */
  maxDeliveries?: number;
  /** Prefix of the consumer group; the group is `<prefix><package.Service>` (default `vrpc.`). */
  groupPrefix?: string;
  /**
   * Longest a reply or a dead letter is retried after a retriable publish failure (the broker
   * unreachable), in ms (default 5 000); never the request's own deadline. Final failures (a
   * `reply_to` naming a missing topic or partition, a message too large) are not retried: they
   * are logged and counted, and the request is committed past. A retriable failure that outlasts
   * it leaves the request unacknowledged while its caller still waits (it runs again later).
   */
  publishRetryMs?: number;
  /**
   * Longest `close()` (SIGTERM) waits for requests in flight, in ms (default 10 000); those
   * unfinished then are left uncommitted, to be redelivered to another server.
   */
  drainTimeoutMs?: number;
}
