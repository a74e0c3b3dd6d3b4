import { Metadata, type MetadataValue } from '@grpc/grpc-js';
import { MetadataMessages } from '../errors/vrpc.messages.js';
import type { MetadataEntry } from './envelope.js';

const BINARY_SUFFIX = '-bin';
// gRPC's grammar: keys of lower-case letters, digits, "-", "_", "." (upper case is folded first,
// as grpc-js folds it, so "X-Id" and "x-id" are one key); text values of printable ASCII.
const LEGAL_KEY = /^[0-9a-z_.-]+$/;
const LEGAL_TEXT = /^[ -~]*$/;

/** Metadata as an envelope carries it: the map (field 5), and the exact entries when the map cannot. */
export interface WireMetadata {
  metadata: Record<string, string>;
  metadataEntries?: MetadataEntry[];
}

/** A metadata key that gRPC cannot carry, and why. */
export interface InvalidMetadata {
  key: string;
  reason: string;
}

/** Told of each metadata key dropped while reading. */
export type OnInvalidMetadata = (invalid: InvalidMetadata) => void;

function isBinary(key: string): boolean {
  return key.endsWith(BINARY_SUFFIX);
}

/** One key's values in the map's single text: text joined with ", " as HTTP/2 does, bytes as base64 joined with ",". */
function joined(key: string, values: MetadataValue[]): string {
  return isBinary(key) ? values.map((value) => Buffer.from(value as Buffer).toString('base64')).join(',') : values.map(String).join(', ');
}

/** Whether the map's single text loses something of these values: several texts, or an empty binary value. */
function lossy(key: string, values: MetadataValue[]): boolean {
  return isBinary(key) ? values.some((value) => (value as Buffer).length === 0) : values.length > 1;
}

function entryOf(key: string, values: MetadataValue[]): MetadataEntry {
  return isBinary(key) ? { key, binaryValues: values as Buffer[] } : { key, values: values.map(String) };
}

/** Flattens gRPC metadata into the envelope's string map (what the original vRPC reads). */
export function metadataToMap(metadata: Metadata | undefined): Record<string, string> {
  return writeMetadata(metadata).metadata;
}

/**
 * The envelope fields for gRPC metadata: the map always, and the exact entries as well only
 * when the map would lose something (a text key with several values, an empty binary value),
 * so that a call with plain metadata costs nothing more.
 */
export function writeMetadata(metadata: Metadata | undefined): WireMetadata {
  const map: Record<string, string> = {};
  if (!metadata) return { metadata: map };
  const all = metadata.toJSON();
  let exact = true;
  for (const key of Object.keys(all)) {
    map[key] = joined(key, all[key]);
    if (exact && lossy(key, all[key])) exact = false;
  }
  if (exact) return { metadata: map };
  return { metadata: map, metadataEntries: Object.keys(all).map((key) => entryOf(key, all[key])) };
}

/** Why gRPC cannot carry this key with these values, if it cannot. */
function problemOf(key: string, texts: readonly string[] | undefined, binaries: readonly Uint8Array[] | undefined): string | undefined {
  if (!LEGAL_KEY.test(key)) return MetadataMessages.illegalKey;
  if (isBinary(key)) return texts?.length ? MetadataMessages.textUnderBinaryKey : undefined;
  if (binaries?.length) return MetadataMessages.bytesUnderTextKey;
  return texts?.every((text) => LEGAL_TEXT.test(text)) === false ? MetadataMessages.illegalText : undefined;
}

function add(
  metadata: Metadata,
  key: string,
  texts: readonly string[] | undefined,
  binaries: readonly Uint8Array[] | undefined,
  onInvalid: OnInvalidMetadata | undefined,
): void {
  const given = key;
  key = key.toLowerCase();
  const problem = problemOf(key, texts, binaries);
  if (problem) {
    onInvalid?.({ key: given, reason: problem });
    return;
  }
  try {
    if (isBinary(key)) for (const bytes of binaries ?? []) metadata.add(key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    else for (const text of texts ?? []) metadata.add(key, text);
  } catch (error: unknown) {
    // Not reached with the checks above; should grpc-js grow stricter, the key is still dropped.
    metadata.remove(key);
    onInvalid?.({ key: given, reason: error instanceof Error ? error.message : String(error) });
  }
}

/**
 * Rebuilds gRPC metadata from an envelope: from its exact entries when it has them, else from
 * its map. Never throws: a key gRPC cannot carry is left out and passed to `onInvalid`.
 */
export function readMetadata(wire: Partial<WireMetadata> | undefined, onInvalid?: OnInvalidMetadata): Metadata {
  const metadata = new Metadata();
  const entries = wire?.metadataEntries;
  if (entries && entries.length > 0) {
    for (const { key, values, binaryValues } of entries) add(metadata, key, values, binaryValues, onInvalid);
    return metadata;
  }
  const map = wire?.metadata;
  if (!map) return metadata;
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (isBinary(key)) {
      const parts = value.split(',').filter((part) => part.length > 0);
      add(
        metadata,
        key,
        undefined,
        parts.map((part) => Buffer.from(part, 'base64')),
        onInvalid,
      );
    } else {
      add(metadata, key, [value], undefined, onInvalid);
    }
  }
  return metadata;
}

/** Rebuilds gRPC metadata from the envelope's string map alone (what the original vRPC writes). */
export function mapToMetadata(map: Record<string, string> | undefined, onInvalid?: OnInvalidMetadata): Metadata {
  return readMetadata(map && { metadata: map }, onInvalid);
}

/** Whether an envelope carries any metadata (most carry none: nothing to read or check). */
export function hasMetadata(wire: WireMetadata): boolean {
  return wire.metadataEntries !== undefined || Object.keys(wire.metadata).length > 0;
}
