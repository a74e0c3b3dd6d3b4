import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, type RequestEnvelope } from './envelope.js';
import { type InvalidMetadata, mapToMetadata, metadataToMap, readMetadata, writeMetadata } from './metadata.codec.js';

const request = (wire: Pick<RequestEnvelope, 'metadata' | 'metadataEntries'>): RequestEnvelope => ({
  requestId: 'r',
  serviceName: 's.S',
  methodName: 'M',
  payload: Buffer.alloc(0),
  timestamp: 0,
  timeoutMs: 0,
  clientId: '',
  replyTo: '',
  deadline: 0,
  taskKey: '',
  attempt: 0,
  oneWay: false,
  ...wire,
});

/** Metadata through a request envelope's bytes and back. */
function overTheWire(metadata: Metadata): Metadata {
  return readMetadata(decodeRequest(encodeRequest(request(writeMetadata(metadata)))));
}

function invalidOf(map: Record<string, string>): { metadata: Metadata; invalid: InvalidMetadata[] } {
  const invalid: InvalidMetadata[] = [];
  return { metadata: mapToMetadata(map, (found) => invalid.push(found)), invalid };
}

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

  it('joins repeated text values with ", " in the map (as HTTP/2 does), which alone gives them back as one value', () => {
    const metadata = new Metadata();
    metadata.add('x-tag', 'a');
    metadata.add('x-tag', 'b');
    const map = metadataToMap(metadata);
    expect(map).toEqual({ 'x-tag': 'a, b' });
    expect(mapToMetadata(map).get('x-tag')).toEqual(['a, b']);
  });

  it('writes no entries for plain metadata: one value per key, binary ones included', () => {
    const metadata = new Metadata();
    metadata.set('x-trace', 'abc');
    metadata.add('x-blob-bin', Buffer.from([1]));
    metadata.add('x-blob-bin', Buffer.from([2, 3]));
    expect(writeMetadata(metadata)).toEqual({ metadata: { 'x-trace': 'abc', 'x-blob-bin': 'AQ==,AgM=' } });
    expect(writeMetadata(undefined)).toEqual({ metadata: {} });
  });

  it('round-trips repeated text values exactly over the wire, and keeps the joined map for old peers', () => {
    const metadata = new Metadata();
    metadata.add('x-tag', 'one');
    metadata.add('x-tag', 'two, three');
    metadata.set('x-trace', 't');
    const wire = writeMetadata(metadata);
    expect(wire.metadata).toEqual({ 'x-tag': 'one, two, three', 'x-trace': 't' });
    expect(wire.metadataEntries).toEqual([
      { key: 'x-tag', values: ['one', 'two, three'] },
      { key: 'x-trace', values: ['t'] },
    ]);
    expect(overTheWire(metadata).toJSON()).toEqual({ 'x-tag': ['one', 'two, three'], 'x-trace': ['t'] });
  });

  it('round-trips mixed text and binary values exactly, an empty binary value included', () => {
    const metadata = new Metadata();
    metadata.add('x-tag', 'a');
    metadata.add('x-tag', 'a');
    metadata.add('x-blob-bin', Buffer.alloc(0));
    metadata.add('x-blob-bin', Buffer.from([0, 0xff, 0x2c]));
    metadata.set('x-empty', '');
    const round = overTheWire(metadata);
    expect(round.get('x-tag')).toEqual(['a', 'a']);
    expect((round.get('x-blob-bin') as Buffer[]).map((value) => [...value])).toEqual([[], [0, 0xff, 0x2c]]);
    expect(round.get('x-empty')).toEqual(['']);
  });

  it('round-trips through a reply envelope too', () => {
    const metadata = new Metadata();
    metadata.add('x-tag', 'a');
    metadata.add('x-tag', 'b');
    const reply = { requestId: 'r', payload: Buffer.alloc(0), statusCode: 5, errorMessage: '', timestamp: 0, ...writeMetadata(metadata) };
    expect(readMetadata(decodeResponse(encodeResponse(reply))).get('x-tag')).toEqual(['a', 'b']);
  });

  it("reads an old peer's field-5-only message from its map", () => {
    const round = readMetadata(decodeRequest(encodeRequest(request({ metadata: { 'x-tag': 'a, b', 'x-id-bin': 'AQI=' } }))));
    expect(round.get('x-tag')).toEqual(['a, b']);
    expect([...(round.get('x-id-bin')[0] as Buffer)]).toEqual([1, 2]);
  });

  it('prefers the entries to the map when both are present', () => {
    const round = readMetadata({ metadata: { 'x-tag': 'joined' }, metadataEntries: [{ key: 'x-tag', values: ['x', 'y'] }] });
    expect(round.toJSON()).toEqual({ 'x-tag': ['x', 'y'] });
  });

  it('never throws on keys or values gRPC rejects: it drops them and names each', () => {
    const { metadata, invalid } = invalidOf({
      'bad key': 'v',
      'X-Upper': 'v',
      '': 'v',
      'x-text': 'caf\u00e9',
      'x-line': 'a\nb',
      'x-good': 'kept',
    });
    // Upper case is folded, as grpc-js folds it: not an error.
    expect(metadata.toJSON()).toEqual({ 'x-upper': ['v'], 'x-good': ['kept'] });
    expect(invalid.map(({ key }) => key)).toEqual(['bad key', '', 'x-text', 'x-line']);
    for (const { reason } of invalid) expect(reason.length).toBeGreaterThan(0);
  });

  it('drops entries whose values do not fit their key: text under -bin, bytes under a text key, bad text', () => {
    const invalid: string[] = [];
    const metadata = readMetadata(
      {
        metadata: {},
        metadataEntries: [
          { key: 'x-a-bin', values: ['text'] },
          { key: 'x-b', binaryValues: [Buffer.from([1])] },
          { key: 'x-c', values: ['ok', '\u0000'] },
          { key: 'x-d', values: ['fine'], binaryValues: [] },
        ],
      },
      ({ key }) => invalid.push(key),
    );
    expect(invalid).toEqual(['x-a-bin', 'x-b', 'x-c']);
    expect(metadata.toJSON()).toEqual({ 'x-d': ['fine'] });
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
