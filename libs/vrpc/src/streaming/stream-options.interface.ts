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

export const DEFAULT_STREAM_WINDOW = 256;
export const DEFAULT_STREAM_BUFFER_BYTES = 8 * 1024 * 1024;
export const DEFAULT_HEARTBEAT_MS = 1_000;
export const DEFAULT_LIVENESS_MS = 5_000;
export const DEFAULT_MAX_STREAMS = 1_000;

/** The options with their defaults filled in. */
export type StreamSettings = Required<VrpcStreamOptions>;

/** Fills in the defaults; a value that is not a positive number is a mistake, refused by the caller's config check. */
export function streamSettings(options: VrpcStreamOptions = {}): StreamSettings {
  return {
    window: options.window ?? DEFAULT_STREAM_WINDOW,
    maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_STREAM_BUFFER_BYTES,
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    livenessMs: options.livenessMs ?? DEFAULT_LIVENESS_MS,
  };
}
