import type { Metadata } from '@grpc/grpc-js';

/** Metadata key that says which path served a call: `bus` or `direct`. */
export const VRPC_PATH_METADATA = 'vrpc-path';

/** A successful reply as bytes, with the metadata the server (or gateway target) sent. */
export interface RawReply {
  payload: Buffer;
  /** The reply's metadata, plus `vrpc-path`. */
  metadata: Metadata;
}
