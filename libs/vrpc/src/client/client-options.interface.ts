import type { VrpcBusOption } from '../bus/bus-config.interface.js';
import type { InboxScope } from '../bus/bus.interface.js';
import type { VrpcProtoOptions } from '../protocol/proto-options.interface.js';
import type { VrpcTopicOptions } from '../protocol/topic-options.interface.js';
import type { VrpcSecurityOptions } from '../protocol/security-options.interface.js';
import type { VrpcStreamOptions } from '../streaming/stream-options.interface.js';
import type { VrpcFallbackRoute } from './fallback-route.interface.js';
import type { VrpcHeaderSet } from '../protocol/wire-headers.js';

/** Settings only a client reads (`VrpcModuleOptions.client`). */
export interface VrpcClientOptions {
  /** Default deadline of a call in milliseconds (default 30 000). */
  timeoutMs?: number;
  /** Fallback paths per `package.Service`: see `VrpcFallbackRoute`. */
  fallback?: Record<string, VrpcFallbackRoute>;
  /** Start of this client's instance id, which names its reply group (default `vrpc`); call ids are random, and name no client. */
  instanceIdPrefix?: string;
  /**
   * Which replies this client reads (default `own-partition`: the reply partition its instance
   * id hashes to, where vRPC servers answer it). `whole-topic` reads every partition of the
   * reply topic and keeps the replies to its own calls, for servers that write replies on any
   * partition of one fixed response topic (the original vRPC's). Kafka buses only: the others
   * refuse it when the client connects.
   */
  replyInbox?: InboxScope;
  /** How this client's streaming calls pace, buffer and watch their servers (docs/streaming.md). */
  streams?: VrpcStreamOptions;
  /**
   * The headers written beside each request's envelope (default `minimal`: `vrpc-id` only;
   * `readable` adds `vrpc-service` and `vrpc-method` for broker tools). See `VrpcHeaderSet`.
   */
  headers?: VrpcHeaderSet;
}

/** What `new VrpcClient()` takes: the module options' shared parts and its own. */
export interface VrpcClientConfig {
  /** Service definitions; a raw-only client needs none. */
  protos?: VrpcProtoOptions | VrpcProtoOptions[];
  /** The bus, when none is given to the constructor (default `'kafka'`). */
  bus?: VrpcBusOption;
  topics?: VrpcTopicOptions;
  /** Signed envelopes: requests are signed, unsigned or forged replies ignored (see `VrpcSecurityOptions`). */
  security?: VrpcSecurityOptions;
  client?: VrpcClientOptions;
}
