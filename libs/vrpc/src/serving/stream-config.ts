import type { VrpcServerStreamOptions } from '../streaming/stream-options.interface.js';
import { checkedStreamSettings, checkPositiveIntegers, DEFAULT_MAX_STREAMS, type StreamSettings } from '../streaming/stream-settings.js';

/** A server's stream settings with their defaults: those of the channel, and how many streams at once. */
export interface ServerStreamSettings extends StreamSettings {
  maxStreams: number;
}

/** `server.streams` with its defaults; a value that is not a positive integer is a `VrpcConfigError` naming it. */
export function serverStreamSettings(options: VrpcServerStreamOptions = {}, option = 'server.streams'): ServerStreamSettings {
  const maxStreams = options.maxStreams ?? DEFAULT_MAX_STREAMS;
  checkPositiveIntegers({ maxStreams }, option);
  return { ...checkedStreamSettings(options, option), maxStreams };
}
