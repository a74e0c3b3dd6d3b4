import type { Metadata } from '@grpc/grpc-js';
import { type WireMetadata, writeMetadata } from '../protocol/metadata.codec.js';

// Transport headers that HTTP/2 or grpc-js set per hop; forwarding them would clash.
const HOP_HEADERS = new Set(['content-type', 'te', 'user-agent', 'date', 'host', 'accept-encoding']);
// grpc-status-details-bin carries rich error details (google.rpc.Status) end to end.
const END_TO_END_GRPC_HEADERS = new Set(['grpc-status-details-bin']);

function endToEnd(key: string): boolean {
  if (HOP_HEADERS.has(key) || key.startsWith(':')) return false;
  return !key.startsWith('grpc-') || END_TO_END_GRPC_HEADERS.has(key);
}

/** The metadata without per-hop transport headers (changed in place). */
function withoutHopHeaders(metadata: Metadata): Metadata {
  for (const key of Object.keys(metadata.getMap())) if (!endToEnd(key)) metadata.remove(key);
  return metadata;
}

/** The metadata to send to the target: the caller's, minus per-hop transport headers. */
export function requestMetadata(metadata: Metadata): Metadata {
  return withoutHopHeaders(metadata);
}

/** The reply's metadata: the target's headers and trailers together, minus transport headers. */
export function replyMetadata(headers: Metadata, trailers: Metadata | undefined): WireMetadata {
  const merged = headers.clone();
  if (trailers) merged.merge(trailers);
  return writeMetadata(withoutHopHeaders(merged));
}
