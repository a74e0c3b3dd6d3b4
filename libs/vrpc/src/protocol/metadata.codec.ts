import { Metadata } from '@grpc/grpc-js';

const BINARY_SUFFIX = '-bin';

/**
 * Flattens gRPC metadata into the envelope's string map. Repeated values are joined with
 * ", " as HTTP/2 does; binary (`-bin`) values are base64, joined with ",".
 */
export function metadataToMap(metadata: Metadata | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  if (!metadata) return map;
  for (const [key, values] of Object.entries(metadata.toJSON())) {
    map[key] = key.endsWith(BINARY_SUFFIX)
      ? values.map((value) => Buffer.from(value as Buffer).toString('base64')).join(',')
      : values.map(String).join(', ');
  }
  return map;
}

/** Rebuilds gRPC metadata from the envelope's string map. */
export function mapToMetadata(map: Record<string, string> | undefined): Metadata {
  const metadata = new Metadata();
  if (!map) return metadata;
  for (const [key, value] of Object.entries(map)) {
    if (key.endsWith(BINARY_SUFFIX)) {
      for (const part of value.split(',')) if (part) metadata.add(key, Buffer.from(part, 'base64'));
    } else {
      metadata.set(key, value);
    }
  }
  return metadata;
}
