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
   * Longest fields a request may carry; a request over one is answered INVALID_ARGUMENT (or
   * dead-lettered when it cannot be answered) without running. Each left out keeps its default.
   */
  limits?: VrpcRequestLimits;
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
