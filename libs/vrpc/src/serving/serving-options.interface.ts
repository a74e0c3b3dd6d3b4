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
}
