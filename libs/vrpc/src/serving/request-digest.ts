import { createHash } from 'node:crypto';
import type { RequestEnvelope } from '../protocol/envelope.js';

/** Characters of a digest as `requestDigest` writes it (SHA-256 in base64url). */
export const REQUEST_DIGEST_CHARS = 43;

/**
 * What a request asks for, as SHA-256: service, method, payload, task key, metadata (keys in
 * order, every value), reply address and one-way flag. Two messages with one id are copies of
 * one request only if this matches too; a request written first with another's id but other
 * content (to pre-empt it, or to steal its reply) is not taken for it. The fields the caller's
 * clock or a re-encoding may change (timestamp, deadline, attempt, client id) are left out, as
 * are signatures, which only vouch for the rest.
 */
export function requestDigest(envelope: RequestEnvelope): string {
  const names = [
    envelope.serviceName,
    envelope.methodName,
    envelope.taskKey,
    envelope.replyTo,
    envelope.replyPartition ?? -1,
    envelope.oneWay,
    metadataOf(envelope),
  ];
  return createHash('sha256').update(JSON.stringify(names)).update(envelope.payload).digest('base64url');
}

/** One metadata key: its text values and its binary ones (base64). */
type MetadataItem = [key: string, values: string[], binaryValues: string[]];

/** The metadata in an order that does not depend on how it was encoded. */
function metadataOf(envelope: RequestEnvelope): MetadataItem[] | [string, string][] {
  if (envelope.metadataEntries?.length) {
    return envelope.metadataEntries
      .map((entry): MetadataItem => [entry.key, entry.values ?? [], (entry.binaryValues ?? []).map(base64)])
      .sort((a, b) => compare(a[0], b[0]));
  }
  return Object.keys(envelope.metadata)
    .sort(compare)
    .map((key): [string, string] => [key, envelope.metadata[key]]);
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
