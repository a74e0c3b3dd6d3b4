import protobuf from 'protobufjs';
import { encodeRequest, encodeResponse, type RequestEnvelope, type ResponseEnvelope } from '@vrpc/nestjs/protocol';

/** The echo proto's `EchoRequest`, encoded by hand (text = 1, delay_ms = 2). */
export function echoPayload(text: string, delayMs = 0): Buffer {
  const writer = protobuf.Writer.create()
    .uint32((1 << 3) | 2)
    .string(text);
  if (delayMs) writer.uint32(2 << 3).int32(delayMs);
  return Buffer.from(writer.finish());
}

/** An `EchoReply` (text = 1). */
export function echoReplyPayload(text: string): Buffer {
  return Buffer.from(
    protobuf.Writer.create()
      .uint32((1 << 3) | 2)
      .string(text)
      .finish(),
  );
}

export const ECHO_SERVICE = 'vrpc.echo.EchoService';

/** A well-formed Echo request envelope, with `changes` applied. */
export function request(changes: Partial<RequestEnvelope> = {}): RequestEnvelope {
  const now = Date.now();
  return {
    requestId: `hostile-${now}-${Math.random().toString(36).slice(2)}`,
    serviceName: ECHO_SERVICE,
    methodName: 'Echo',
    payload: echoPayload('hostile'),
    metadata: {},
    timestamp: now,
    timeoutMs: 30_000,
    clientId: 'attacker',
    replyTo: '',
    deadline: now + 30_000,
    taskKey: '',
    attempt: 0,
    oneWay: true,
    ...changes,
  };
}

export const encodeRequestEnvelope = (changes: Partial<RequestEnvelope> = {}): Buffer => encodeRequest(request(changes));

/** A reply envelope for `requestId`. */
export function reply(requestId: string, changes: Partial<ResponseEnvelope> = {}): Buffer {
  return encodeResponse({
    requestId,
    payload: echoReplyPayload('forged'),
    statusCode: 0,
    errorMessage: '',
    metadata: {},
    timestamp: Date.now(),
    ...changes,
  });
}

/** A protobuf varint of a non-negative or negative (two's complement, 10 bytes) integer. */
export function varint(value: number | bigint): Buffer {
  let rest = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest ? low | 0x80 : low);
  } while (rest);
  return Buffer.from(bytes);
}

/** Protobuf fields written one by one, for envelopes the library's encoder would never write. */
export class RawFields {
  private readonly chunks: Buffer[] = [];

  tag(field: number, wireType: number): this {
    this.chunks.push(varint((field << 3) | wireType));
    return this;
  }

  bytes(field: number, value: Uint8Array | string): this {
    const data = typeof value === 'string' ? Buffer.from(value) : Buffer.from(value);
    this.chunks.push(varint((field << 3) | 2), varint(data.length), data);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, value);
  }

  varint(field: number, value: number | bigint): this {
    this.chunks.push(varint(field << 3), varint(value));
    return this;
  }

  /** A `map<string,string>` entry of field 5. */
  entry(key: string, value: string | Uint8Array): this {
    return this.bytes(5, new RawFields().bytes(1, key).bytes(2, value).finish());
  }

  /** Bytes as they are, e.g. a length prefix that lies. */
  raw(bytes: Uint8Array): this {
    this.chunks.push(Buffer.from(bytes));
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** The fields 1–8 of a request, as the original Go vRPC writes them (its timestamp in ns). */
export function goStyleRequest(id: string, payload: Buffer, timeoutMs: number, sentAtMs = Date.now()): Buffer {
  return new RawFields()
    .string(1, id)
    .string(2, ECHO_SERVICE)
    .string(3, 'Echo')
    .bytes(4, payload)
    .varint(6, BigInt(sentAtMs) * 1_000_000n)
    .varint(7, timeoutMs)
    .string(8, 'go-client')
    .finish();
}
