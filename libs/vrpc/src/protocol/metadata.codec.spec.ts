import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { mapToMetadata, metadataToMap } from './metadata.codec.js';

describe('metadata codec', () => {
  it('maps no metadata to an empty map and back', () => {
    expect(metadataToMap(undefined)).toEqual({});
    expect(mapToMetadata(undefined).toJSON()).toEqual({});
    expect(metadataToMap(new Metadata())).toEqual({});
  });

  it('round-trips single text values', () => {
    const metadata = new Metadata();
    metadata.set('x-trace', 'abc-123');
    metadata.set('authorization', 'Bearer token');
    const map = metadataToMap(metadata);
    expect(map).toEqual({ 'x-trace': 'abc-123', authorization: 'Bearer token' });
    expect(mapToMetadata(map).toJSON()).toEqual(metadata.toJSON());
  });

  it('joins repeated text values with ", " (as HTTP/2 does); they come back as that one value', () => {
    const metadata = new Metadata();
    metadata.add('x-tag', 'a');
    metadata.add('x-tag', 'b');
    const map = metadataToMap(metadata);
    expect(map).toEqual({ 'x-tag': 'a, b' });
    expect(mapToMetadata(map).get('x-tag')).toEqual(['a, b']);
  });

  it('carries -bin values as base64 and restores their exact bytes', () => {
    const bytes = Buffer.from([0x00, 0xff, 0x80, 0x0a]);
    const metadata = new Metadata();
    metadata.set('x-blob-bin', bytes);
    const map = metadataToMap(metadata);
    expect(map).toEqual({ 'x-blob-bin': bytes.toString('base64') });
    const [restored] = mapToMetadata(map).get('x-blob-bin');
    expect(Buffer.isBuffer(restored)).toBe(true);
    expect([...(restored as Buffer)]).toEqual([...bytes]);
  });

  it('joins repeated -bin values with "," and splits them back into separate values', () => {
    const first = Buffer.from([0x01, 0x02]);
    const second = Buffer.from([0xfe, 0xfd, 0xfc]);
    const metadata = new Metadata();
    metadata.add('x-blob-bin', first);
    metadata.add('x-blob-bin', second);
    const map = metadataToMap(metadata);
    expect(map).toEqual({ 'x-blob-bin': `${first.toString('base64')},${second.toString('base64')}` });
    const restored = mapToMetadata(map).get('x-blob-bin') as Buffer[];
    expect(restored.map((value) => [...value])).toEqual([[...first], [...second]]);
  });

  it('skips empty parts of a -bin value', () => {
    const restored = mapToMetadata({ 'x-blob-bin': ',AQI=,,' }).get('x-blob-bin') as Buffer[];
    expect(restored.map((value) => [...value])).toEqual([[0x01, 0x02]]);
  });

  it('keeps text and binary keys apart in one map', () => {
    const metadata = new Metadata();
    metadata.set('x-trace', 'abc');
    metadata.set('x-id-bin', Buffer.from('id'));
    const round = mapToMetadata(metadataToMap(metadata));
    expect(round.get('x-trace')).toEqual(['abc']);
    expect(String(round.get('x-id-bin')[0])).toBe('id');
  });
});
