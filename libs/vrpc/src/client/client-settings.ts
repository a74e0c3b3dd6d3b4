import { EnvelopeSigner } from '../protocol/envelope-signature.js';
import { DEFAULT_TIMEOUT_MS } from '../protocol/vrpc.constants.js';
import type { VrpcClientConfig } from './client-options.interface.js';
import type { ClientSettings } from './client-settings.interface.js';
import { clientStreamSettings } from './client-stream-settings.js';
import { headerSet } from '../protocol/wire-headers.js';

/** The settings the client's parts read, from its config (checked: a mistake throws a `VrpcConfigError`). */
export function clientSettings(config: VrpcClientConfig): ClientSettings {
  return {
    timeoutMs: config.client?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    fallback: config.client?.fallback ?? {},
    instanceIdPrefix: config.client?.instanceIdPrefix ?? 'vrpc',
    topics: config.topics ?? {},
    replyInbox: config.client?.replyInbox ?? 'own-partition',
    signer: config.security && new EnvelopeSigner(config.security),
    headers: headerSet(config.client?.headers, 'client.headers'),
    streams: clientStreamSettings(config.client?.streams),
  };
}
