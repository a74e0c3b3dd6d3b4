/** One target as the gateway sees it. */
export interface GatewayTargetHealth {
  service: string;
  address: string;
  /** grpc-js connectivity state of its channel: `IDLE`, `CONNECTING`, `READY`, `TRANSIENT_FAILURE`, `SHUTDOWN`. */
  state: string;
}
