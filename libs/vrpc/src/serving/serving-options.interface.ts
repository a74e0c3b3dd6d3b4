import type { VrpcServerStreamOptions } from '../streaming/stream-options.interface.js';
import type { VrpcHeaderSet } from '../protocol/wire-headers.js';

/** Settings of whatever serves request topics: a `VrpcServer` or a `VrpcGateway`. */
export interface VrpcServingOptions {
  /** Requests processed at once by one server (default 64). */
  concurrency?: number;
  /**
   * Deliveries after which a request that never finished (its server crashed each time) is
   * sent to the dead-letter topic instead of being run again (default 5).
   */
  maxDeliveries?: number;
  /**
   * Prefix of the consumer groups (default `vrpc.`): one per request topic, `<prefix><package.Service>`,
   * or `<prefix><topic>` for a topic that several served services share (`topics.requests`).
   */
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
  /**
   * Longest fields a request may carry; a request over one is answered INVALID_ARGUMENT (or
   * dead-lettered when it cannot be answered) without running. Each left out keeps its default.
   */
  limits?: VrpcRequestLimits;
  /**
   * Reply topics this server answers on besides `topics.replies` (always allowed): names, or a
   * pattern the whole name must match. A request whose `reply_to` names any other topic is not
   * run: it is dropped with a counted, logged reason and committed past. A request topic (one
   * served here, one `topics.requests` names, one under `topics.requestPrefix`) and the
   * dead-letter topic are refused even when listed. Default: none besides `topics.replies`.
   */
  replyTopics?: readonly string[] | RegExp;
  /** How streaming calls are paced, watched and bounded (docs/streaming.md); each left out keeps its default. */
  streams?: VrpcServerStreamOptions;
  /**
   * The headers written beside each reply's envelope (default `minimal`: none, the reply keyed
   * by its call id; `readable` writes `vrpc-id` and `vrpc-status` for broker tools). See `VrpcHeaderSet`.
   */
  headers?: VrpcHeaderSet;
}

/** Limits on the fields read from a request, so that no message can make a server hold much memory. */
export interface VrpcRequestLimits {
  /** Longest request id, in characters (default 256). */
  requestId?: number;
  /** Longest service name and method name, in characters (default 256). */
  name?: number;
  /** Longest task key, in characters (default 1024). */
  taskKey?: number;
  /** Longest client id, in characters (default 256). */
  clientId?: number;
  /** Longest reply topic, in characters (default 256). */
  replyTo?: number;
  /** Most metadata entries (default 64). */
  metadataEntries?: number;
  /** Most metadata bytes, keys and values added up in UTF-8 (default 16 KiB). */
  metadataBytes?: number;
}
