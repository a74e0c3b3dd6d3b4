/** How one side of a streaming call paces, buffers and watches it (docs/streaming.md). */
export interface VrpcStreamOptions {
  /** Messages the other side may have in flight beyond what this side has taken (default 256). */
  window?: number;
  /** What this side holds beyond the other side's window before the call fails RESOURCE_EXHAUSTED, in bytes (default 8 MiB). */
  maxBufferedBytes?: number;
  /** A heartbeat goes out after this much silence, in ms (default 1 000). */
  heartbeatMs?: number;
  /** The call ends after this much silence from the other side, in ms (default 5 000). */
  livenessMs?: number;
}

/** A server's stream options: those of every side, and how many streams it runs at once. */
export interface VrpcServerStreamOptions extends VrpcStreamOptions {
  /** Streams this server runs at once; the next opening is answered RESOURCE_EXHAUSTED (default 1 000). */
  maxStreams?: number;
}
