import type { InboxScope } from '../bus/bus.interface.js';
import type { VrpcTopicOptions } from '../protocol/topic-options.interface.js';
import type { EnvelopeSigner } from '../protocol/envelope-signature.js';
import type { StreamSettings } from '../streaming/stream-settings.js';
import type { VrpcFallbackRoute } from './fallback-route.interface.js';
import type { VrpcHeaderSet } from '../protocol/wire-headers.js';

/** A client's settings with their defaults applied, as its parts read them. */
export interface ClientSettings {
  timeoutMs: number;
  /** Fallback routes by `package.Service`; empty when there are none. */
  fallback: Record<string, VrpcFallbackRoute>;
  instanceIdPrefix: string;
  topics: VrpcTopicOptions;
  replyInbox: InboxScope;
  /** Signs requests and checks replies (`security`); none when signing is off. */
  signer?: EnvelopeSigner;
  /** The headers written beside each request's envelope (`client.headers`). */
  headers: VrpcHeaderSet;
  /** `client.streams`, checked, with defaults. */
  streams: StreamSettings;
}
