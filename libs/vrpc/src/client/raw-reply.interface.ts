import type { Metadata } from '@grpc/grpc-js';

/** A successful reply as bytes, with the metadata the server (or gateway target) sent. */
export interface RawReply {
  payload: Buffer;
  /** The reply's metadata, plus `vrpc-path`. */
  metadata: Metadata;
}
