/** Per-call options, the third argument of a service method. */
export interface VrpcCallOptions {
  /** Absolute deadline (a `Date` or ms since the epoch), as in grpc-js' `CallOptions`. */
  deadline?: Date | number;
  /** Relative timeout in ms; used when no deadline is given. */
  timeoutMs?: number;
  /** Task key: calls that share one run in order, on one partition. */
  taskKey?: string;
}
