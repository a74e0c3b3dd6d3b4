import { ConfigMessages } from '../errors/vrpc.messages.js';
import { VrpcConfigError } from '../errors/vrpc-config.error.js';
import type { VrpcStreamOptions } from '../streaming/stream-options.interface.js';
import { type StreamSettings, streamSettings } from '../streaming/stream-settings.js';

const KEYS = ['window', 'maxBufferedBytes', 'heartbeatMs', 'livenessMs'] as const;

/** A client's stream settings, its options checked (positive integers) and defaults filled in. */
export function clientStreamSettings(options: VrpcStreamOptions | undefined): StreamSettings {
  for (const key of KEYS) {
    const value = options?.[key];
    if (value !== undefined && (!Number.isSafeInteger(value) || value <= 0)) {
      throw new VrpcConfigError(`client.streams.${key}`, ConfigMessages.notPositiveInteger(value));
    }
  }
  return streamSettings(options);
}
