import { VrpcConfigError } from '../errors/vrpc-config.error.js';
import { ConfigMessages } from '../errors/vrpc.messages.js';
import type { VrpcServerStreamOptions } from '../streaming/stream-options.interface.js';
import { DEFAULT_MAX_STREAMS, type StreamSettings, streamSettings } from '../streaming/stream-settings.js';

/** A server's stream settings with their defaults: those of the channel, and how many streams at once. */
export interface ServerStreamSettings extends StreamSettings {
  maxStreams: number;
}

/** `server.streams` with its defaults; a value that is not a positive integer is a `VrpcConfigError` naming it. */
export function serverStreamSettings(options: VrpcServerStreamOptions = {}, option = 'server.streams'): ServerStreamSettings {
  const settings = { ...streamSettings(options), maxStreams: options.maxStreams ?? DEFAULT_MAX_STREAMS };
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isInteger(value) || value <= 0) throw new VrpcConfigError(`${option}.${name}`, ConfigMessages.notPositiveInteger(value));
  }
  return settings;
}
