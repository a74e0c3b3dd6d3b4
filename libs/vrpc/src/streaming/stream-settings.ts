import { ConfigMessages } from '../errors/vrpc.messages.js';
import { VrpcConfigError } from '../errors/vrpc-config.error.js';
import type { VrpcStreamOptions } from './stream-options.interface.js';

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

/** Throws a `VrpcConfigError` naming `<option>.<key>` for the first value that is not a positive integer. */
export function checkPositiveIntegers(values: Record<string, number | undefined>, option: string): void {
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value <= 0)) {
      throw new VrpcConfigError(`${option}.${key}`, ConfigMessages.notPositiveInteger(value));
    }
  }
}

/** `streamSettings`, after checking the options given (`option` names them in the error, e.g. `client.streams`). */
export function checkedStreamSettings(options: VrpcStreamOptions | undefined, option: string): StreamSettings {
  const settings = streamSettings(options);
  checkPositiveIntegers({ ...settings }, option);
  return settings;
}
