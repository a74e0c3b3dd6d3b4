import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  CallType,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type RequestEnvelope,
  type ResponseEnvelope,
} from './envelope.js';
import { ENVELOPE_PROTO } from './envelope.proto.js';

/** Jan 1 2500 in ms since the epoch: above 2^32, so the int64 has high bits set. */
const YEAR_2500 = 16_725_225_600_000;

const request = (overrides: Partial<RequestEnvelope> = {}): RequestEnvelope => ({
  requestId: 'inst-1/42',
  serviceName: 'vrpc.echo.EchoService',
  methodName: 'Echo',
  payload: Buffer.from([0x0a, 0x02, 0x68, 0x69]),
  metadata: { 'x-trace': 'abc', 'x-bin': 'AAE=' },
  timestamp: 1_767_225_600_123,
  timeoutMs: 30_000,
  clientId: 'billing',
  replyTo: 'vrpc.replies',
  replyPartition: 3,
  deadline: 1_767_225_630_123,
  taskKey: 'order-7',
  attempt: 2,
  oneWay: false,
  ...overrides,
});

const response = (overrides: Partial<ResponseEnvelope> = {}): ResponseEnvelope => ({
  requestId: 'inst-1/42',
  payload: Buffer.from([0x0a, 0x02, 0x6f, 0x6b]),
  statusCode: 7,
  errorMessage: 'nope',
  metadata: { 'x-served-by': 'pid-1' },
  timestamp: 1_767_225_600_456,
  ...overrides,
});

/** Tag byte(s) of a field: number << 3 | wire type (0 varint, 2 length-delimited). */
const tag = (field: number, wireType: 0 | 2): number => (field << 3) | wireType;

/** Writes one map<string,string> entry as Go's protobuf writes it: a nested message, key 1, value 2. */
function writeMapEntry(writer: protobuf.Writer, field: number, key: string, value: string): void {
  writer.uint32(tag(field, 2)).fork().uint32(tag(1, 2)).string(key).uint32(tag(2, 2)).string(value).ldelim();
}

describe('request envelope', () => {
  it('round-trips every field', () => {
    const decoded = decodeRequest(encodeRequest(request()));
    expect(decoded).toEqual(request());
    expect(Buffer.isBuffer(decoded.payload)).toBe(true);
  });

  it('keeps reply_partition absent when unset, and 0 when set to 0 (an optional field)', () => {
    expect(decodeRequest(encodeRequest(request({ replyPartition: undefined })))).not.toHaveProperty('replyPartition');
    expect(decodeRequest(encodeRequest(request({ replyPartition: 0 }))).replyPartition).toBe(0);
  });

  it('round-trips a one-way call with an empty payload', () => {
    const decoded = decodeRequest(encodeRequest(request({ oneWay: true, payload: Buffer.alloc(0), replyTo: '' })));
    expect(decoded.oneWay).toBe(true);
    expect(decoded.replyTo).toBe('');
    expect(Buffer.isBuffer(decoded.payload)).toBe(true);
    expect(decoded.payload).toHaveLength(0);
  });

  it('reads int64 fields that protobufjs decodes as Long: far-future, largest safe and negative values', () => {
    const bytes = encodeRequest(request({ deadline: YEAR_2500, timestamp: Number.MAX_SAFE_INTEGER, timeoutMs: -1 }));
    // The raw decode hands out Longs (the `long` package is installed): the codec's conversion is exercised.
    const raw = protobuf.parse(ENVELOPE_PROTO).root.lookupType('vrpc.VRPCRequest').decode(bytes) as unknown as Record<string, unknown>;
    expect(typeof raw.deadline).toBe('object');
    expect(raw.deadline).toHaveProperty('high', Math.floor(YEAR_2500 / 2 ** 32));
    const decoded = decodeRequest(bytes);
    expect(decoded.deadline).toBe(YEAR_2500);
    expect(decoded.timestamp).toBe(Number.MAX_SAFE_INTEGER);
    expect(decoded.timeoutMs).toBe(-1);
  });

  it('reads fields missing from the wire as their defaults', () => {
    const writer = protobuf.Writer.create();
    writer.uint32(tag(1, 2)).string('id-1').uint32(tag(2, 2)).string('pkg.Svc').uint32(tag(3, 2)).string('Run');
    const decoded = decodeRequest(writer.finish());
    const { payload, ...rest } = decoded;
    expect(rest).toEqual({
      requestId: 'id-1',
      serviceName: 'pkg.Svc',
      methodName: 'Run',
      metadata: {},
      timestamp: 0,
      timeoutMs: 0,
      clientId: '',
      replyTo: '',
      deadline: 0,
      taskKey: '',
      attempt: 0,
      oneWay: false,
    });
    expect(Buffer.isBuffer(payload)).toBe(true);
    expect(payload).toHaveLength(0);
  });

  it('keeps a __proto__ metadata key as an own key', () => {
    const metadata = JSON.parse('{"__proto__":"x","a":"b"}') as Record<string, string>;
    const decoded = decodeRequest(encodeRequest(request({ metadata })));
    expect(Object.keys(decoded.metadata).sort()).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(decoded.metadata, '__proto__')?.value).toBe('x');
  });

  it('throws on bytes that are not an envelope, or lack id, service or method', () => {
    expect(() => decodeRequest(Buffer.from('not an envelope'))).toThrow();
    expect(() => decodeRequest(encodeRequest(request({ requestId: '' })))).toThrow(/request_id/);
    expect(() => decodeRequest(encodeRequest(request({ serviceName: '' })))).toThrow(/service_name/);
    expect(() => decodeRequest(encodeRequest(request({ methodName: '' })))).toThrow(/method_name/);
  });

  it('reads a VRPCRequest as the original Go vRPC writes it (fields 1-8, zero values omitted)', () => {
    const writer = protobuf.Writer.create();
    writer.uint32(tag(1, 2)).string('go-client/1');
    writer.uint32(tag(2, 2)).string('demo.Greeter');
    writer.uint32(tag(3, 2)).string('SayHello');
    writer.uint32(tag(4, 2)).bytes(Buffer.from([0x0a, 0x03, 0x62, 0x6f, 0x62]));
    writeMapEntry(writer, 5, 'authorization', 'Bearer t');
    writeMapEntry(writer, 5, 'x-request-id', 'r-9');
    writer.uint32(tag(6, 0)).int64(1_767_225_600_123);
    writer.uint32(tag(7, 0)).int64(5_000);
    writer.uint32(tag(8, 2)).string('go-client');
    const decoded = decodeRequest(writer.finish());
    expect(decoded.requestId).toBe('go-client/1');
    expect(decoded.serviceName).toBe('demo.Greeter');
    expect(decoded.methodName).toBe('SayHello');
    expect([...decoded.payload]).toEqual([0x0a, 0x03, 0x62, 0x6f, 0x62]);
    expect(decoded.metadata).toEqual({ authorization: 'Bearer t', 'x-request-id': 'r-9' });
    expect(decoded.timestamp).toBe(1_767_225_600_123);
    expect(decoded.timeoutMs).toBe(5_000);
    expect(decoded.clientId).toBe('go-client');
    // This project's fields (16+) are absent: their defaults.
    expect(decoded).not.toHaveProperty('replyPartition');
    expect(decoded).toMatchObject({ replyTo: '', deadline: 0, taskKey: '', attempt: 0, oneWay: false });
  });

  it('pins the wire bytes of the smallest Go request (hex derived by hand)', () => {
    // 0a 02 "r1" | 12 03 "s.S" | 1a 01 "M" | 30 e8 07 (timestamp 1000: varint 0xe8 0x07) | 42 01 "c"
    const bytes = Buffer.from('0a027231' + '1203732e53' + '1a014d' + '30e807' + '420163', 'hex');
    expect(decodeRequest(bytes)).toMatchObject({ requestId: 'r1', serviceName: 's.S', methodName: 'M', timestamp: 1_000, clientId: 'c' });
  });

  it('writes fields 1-8 so that a reader of the Go schema alone reads them', () => {
    const goSchema = ENVELOPE_PROTO.replace(/^\s+(repeated )?\S+ \S+ = (1[6-9]|2\d);$/gm, '').replace(
      /optional int32 reply_partition = 17;/,
      '',
    );
    const goRequest = protobuf.parse(goSchema).root.lookupType('vrpc.VRPCRequest');
    expect(Object.keys(goRequest.fields)).toEqual([
      'requestId',
      'serviceName',
      'methodName',
      'payload',
      'metadata',
      'timestamp',
      'timeoutMs',
      'clientId',
    ]);
    const read = goRequest.toObject(goRequest.decode(encodeRequest(request({ deadline: YEAR_2500 }))), { longs: Number });
    const { requestId, serviceName, methodName, metadata, timestamp, timeoutMs, clientId } = request();
    expect(read).toMatchObject({ requestId, serviceName, methodName, metadata, timestamp, timeoutMs, clientId });
    expect([...(read.payload as Uint8Array)]).toEqual([...request().payload]);
  });

  it('carries metadata entries in field 22 beside the map, which a reader of the Go schema still reads joined', () => {
    const metadataEntries = [
      { key: 'x-tag', values: ['a', 'b'], binaryValues: [] },
      { key: 'x-id-bin', values: [], binaryValues: [Buffer.alloc(0)] },
    ];
    const withEntries = request({ metadata: { 'x-tag': 'a, b', 'x-id-bin': '' }, metadataEntries });
    const bytes = encodeRequest(withEntries);
    expect(decodeRequest(bytes).metadataEntries).toEqual(metadataEntries);
    expect(decodeRequest(encodeRequest(request())).metadataEntries).toBeUndefined();
    const goSchema = ENVELOPE_PROTO.replace(/^\s+(repeated )?\S+ \S+ = (1[6-9]|2\d);$/gm, '').replace(
      /optional int32 reply_partition = 17;/,
      '',
    );
    const goRequest = protobuf.parse(goSchema).root.lookupType('vrpc.VRPCRequest');
    expect(goRequest.toObject(goRequest.decode(bytes)).metadata).toEqual({ 'x-tag': 'a, b', 'x-id-bin': '' });
  });
});

describe('stream frames', () => {
  it('round-trip on a request and on a reply, with only the fields that are set', () => {
    const open = request({ stream: { open: true, callType: CallType.BIDI_STREAMING, window: 256 } });
    expect(decodeRequest(encodeRequest(open))).toEqual(open);
    const message = request({ stream: { sequence: 2 ** 40, hasMessage: true, end: true, cancel: true, window: 1 } });
    expect(decodeRequest(encodeRequest(message))).toEqual(message);
    const accept = response({ stream: { open: true, inboxTopic: 'vrpc.streams', inboxPartition: 0, window: 64 } });
    expect(decodeResponse(encodeResponse(accept))).toEqual(accept);
  });

  it('are not on the wire of a unary envelope (its bytes are what they were)', () => {
    const plain = encodeRequest(request());
    expect(decodeRequest(plain).stream).toBeUndefined();
    // Field 25 as a two-byte tag, a one-byte length, then has_message (tag and value).
    const framed = encodeRequest(request({ stream: { hasMessage: true } }));
    expect(framed.length).toBe(plain.length + 5);
  });
});

describe('response envelope', () => {
  it('round-trips every field', () => {
    const decoded = decodeResponse(encodeResponse(response()));
    expect(decoded).toEqual(response());
  });

  it('reads a far-future timestamp (a Long on the wire)', () => {
    expect(decodeResponse(encodeResponse(response({ timestamp: YEAR_2500 }))).timestamp).toBe(YEAR_2500);
  });

  it('reads fields missing from the wire as their defaults', () => {
    const writer = protobuf.Writer.create();
    writer.uint32(tag(1, 2)).string('id-1');
    const { payload, ...rest } = decodeResponse(writer.finish());
    expect(rest).toEqual({ requestId: 'id-1', statusCode: 0, errorMessage: '', metadata: {}, timestamp: 0 });
    expect(Buffer.isBuffer(payload)).toBe(true);
    expect(payload).toHaveLength(0);
  });

  it('throws on bytes that are not a reply, or lack request_id', () => {
    expect(() => decodeResponse(Buffer.from('not an envelope'))).toThrow();
    expect(() => decodeResponse(encodeResponse(response({ requestId: '' })))).toThrow(/request_id/);
  });

  it('reads a VRPCResponse as the original Go vRPC writes it (fields 1-6)', () => {
    const writer = protobuf.Writer.create();
    writer.uint32(tag(1, 2)).string('go-client/1');
    writer.uint32(tag(2, 2)).bytes(Buffer.from([0x0a, 0x02, 0x68, 0x69]));
    writer.uint32(tag(3, 0)).int32(5);
    writer.uint32(tag(4, 2)).string('not found');
    writeMapEntry(writer, 5, 'x-server', 'go');
    writer.uint32(tag(6, 0)).int64(YEAR_2500);
    const decoded = decodeResponse(writer.finish());
    expect(decoded.requestId).toBe('go-client/1');
    expect([...decoded.payload]).toEqual([0x0a, 0x02, 0x68, 0x69]);
    expect(decoded.statusCode).toBe(5);
    expect(decoded.errorMessage).toBe('not found');
    expect(decoded.metadata).toEqual({ 'x-server': 'go' });
    expect(decoded.timestamp).toBe(YEAR_2500);
  });
});
