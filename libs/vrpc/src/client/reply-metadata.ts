import type { Metadata } from '@grpc/grpc-js';
import { asBuffer } from '../protocol/bytes.js';
import type { ResponseEnvelope } from '../protocol/envelope.js';
import { readMetadata } from '../protocol/metadata.codec.js';
import { VRPC_PATH_METADATA } from '../protocol/vrpc.constants.js';
import type { RawReply } from './raw-reply.interface.js';

/** The path that served a call: the bus, or a direct gRPC call (fallback). */
export type ReplyPath = 'bus' | 'direct';

/** A reply's metadata as gRPC metadata, with the path that served it (keys gRPC cannot carry are left out). */
export function replyMetadata(reply: ResponseEnvelope, path: ReplyPath): Metadata {
  const metadata = readMetadata(reply);
  metadata.set(VRPC_PATH_METADATA, path);
  return metadata;
}

/** A reply as `callRawReply` emits it. */
export function rawReply(reply: ResponseEnvelope, path: ReplyPath): RawReply {
  // Most callers never read a reply's metadata: build it on first use.
  let metadata: Metadata | undefined;
  return {
    payload: asBuffer(reply.payload),
    get metadata(): Metadata {
      return (metadata ??= replyMetadata(reply, path));
    },
    set metadata(value: Metadata) {
      metadata = value;
    },
  };
}
