/**
 * Another path for a service's calls, used when the first one is down:
 * - `bus-first`: over the bus; when the bus cannot take the request within `busTimeoutMs`,
 *   call the target's gRPC address directly;
 * - `direct-first`: call the target directly; when it is unreachable (UNAVAILABLE), queue the
 *   call on the bus, to be served when a vRPC server is back (store-and-forward).
 */
export interface VrpcFallbackRoute {
  mode: 'bus-first' | 'direct-first';
  /** The target's gRPC address, `host:port`. */
  address: string;
  /** `bus-first` only: how long to try the bus before going direct (default 2 000 ms). */
  busTimeoutMs?: number;
}
