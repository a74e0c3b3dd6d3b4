import type { VrpcStreamOptions } from '../streaming/stream-options.interface.js';
import { checkedStreamSettings, type StreamSettings } from '../streaming/stream-settings.js';

/** A client's stream settings, its options checked (positive integers) and defaults filled in. */
export function clientStreamSettings(options: VrpcStreamOptions | undefined): StreamSettings {
  return checkedStreamSettings(options, 'client.streams');
}
