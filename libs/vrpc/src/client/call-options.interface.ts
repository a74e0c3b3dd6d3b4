import type { Metadata } from '@grpc/grpc-js';

/** Per-call options, the third argument of a service method. */
export interface VrpcCallOptions {
  /** Absolute deadline (a `Date` or ms since the epoch), as in grpc-js' `CallOptions`. */
  deadline?: Date | number;
  /** Relative timeout in ms; used when no deadline is given. */
  timeoutMs?: number;
  /** Task key: calls that share one run in order, on one partition. */
  taskKey?: string;
  /** Receives the reply's metadata (with `vrpc-path`: `bus` or `direct`) before the value. */
  onResponseMetadata?: (metadata: Metadata) => void;
}
