import { createHmac, createSecretKey, type Hmac, type KeyObject, timingSafeEqual } from 'node:crypto';
import { VrpcConfigError } from '../errors/vrpc-config.error.js';
import { ConfigMessages } from '../errors/vrpc.messages.js';
import type { MetadataEntry, RequestEnvelope, ResponseEnvelope, StreamFrame } from './envelope.js';
import type { VrpcKeyRing, VrpcSecurityOptions } from './security-options.interface.js';

/** Why an envelope was not accepted. */
export type SignatureFailure = 'unsigned' | 'unknown-key' | 'bad-signature';

/** The outcome of checking an envelope: accepted (with the key that signed it, if any) or refused. */
export type SignatureVerdict = { ok: true; keyId?: string } | { ok: false; reason: SignatureFailure };

/** Where the canonical bytes go: an HMAC, or a list (to look at them). */
type Sink = (chunk: Buffer | string) => void;

const REQUEST_TAG = 'vrpc.request.v1';
const RESPONSE_TAG = 'vrpc.response.v1';
const STREAM_TAG = 'vrpc.stream.v1';
const MIN_KEY_BYTES = 16;

/**
 * The canonical form both ends compute from the fields they act on, not the protobuf bytes:
 * protobuf fixes no field order nor map order, so another producer's bytes for the same
 * envelope may differ, and decoding then re-encoding need not give them back. Every field is
 * length-prefixed (4 bytes, big-endian) after a tag naming the kind of envelope, so no two
 * envelopes share a form, and a request's signature is never a reply's.
 */
class Canonical {
  private readonly length = Buffer.alloc(4);

  constructor(private readonly sink: Sink) {}

  text(value: string): this {
    this.count(Buffer.byteLength(value, 'utf8'));
    if (value.length > 0) this.sink(value);
    return this;
  }

  bytes(value: Uint8Array): this {
    this.count(value.byteLength);
    if (value.byteLength > 0) this.sink(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    return this;
  }

  /** An integer as protobuf carries it (a fraction is cut, as int64 cuts it), in decimal. */
  number(value: number | undefined): this {
    return this.text(value === undefined ? '' : String(Number.isFinite(value) ? Math.trunc(value) : 0));
  }

  /** A length or a count; the buffer is reused, as a sink takes the bytes at once. */
  count(value: number): this {
    this.length.writeUInt32BE(value >>> 0);
    this.sink(this.length);
    return this;
  }

  /**
   * A streaming call's frame, after a tag; nothing at all for a unary envelope, whose form is
   * then what it was before streams existed. Removing or adding a frame changes the form.
   */
  stream(frame: StreamFrame | undefined): this {
    if (!frame) return this;
    return this.text(STREAM_TAG)
      .number(frame.callType ?? 0)
      .number(frame.sequence ?? 0)
      .number(frame.hasMessage ? 1 : 0)
      .number(frame.end ? 1 : 0)
      .number(frame.cancel ? 1 : 0)
      .number(frame.window ?? 0)
      .text(frame.inboxTopic ?? '')
      .number(frame.inboxPartition)
      .number(frame.open ? 1 : 0);
  }

  metadata(map: Record<string, string>, entries: MetadataEntry[] | undefined): this {
    const keys = Object.keys(map).sort();
    this.count(keys.length);
    for (const key of keys) this.text(key).text(map[key]);
    this.count(entries?.length ?? 0);
    for (const { key, values = [], binaryValues = [] } of entries ?? []) {
      this.text(key).count(values.length);
      for (const value of values) this.text(value);
      this.count(binaryValues.length);
      for (const value of binaryValues) this.bytes(value);
    }
    return this;
  }
}

/** Writes what a request's signature covers: every field but the signature itself. */
export function writeRequest(envelope: RequestEnvelope, keyId: string, sink: Sink): void {
  new Canonical(sink)
    .text(REQUEST_TAG)
    .text(keyId)
    .text(envelope.requestId)
    .text(envelope.serviceName)
    .text(envelope.methodName)
    .bytes(envelope.payload)
    .metadata(envelope.metadata, envelope.metadataEntries)
    .number(envelope.timestamp)
    .number(envelope.timeoutMs)
    .text(envelope.clientId)
    .text(envelope.replyTo)
    .number(envelope.replyPartition)
    .number(envelope.deadline)
    .text(envelope.taskKey)
    .number(envelope.attempt)
    .number(envelope.oneWay ? 1 : 0)
    .stream(envelope.stream);
}

/** Writes what a reply's signature covers. */
export function writeResponse(envelope: ResponseEnvelope, keyId: string, sink: Sink): void {
  new Canonical(sink)
    .text(RESPONSE_TAG)
    .text(keyId)
    .text(envelope.requestId)
    .bytes(envelope.payload)
    .number(envelope.statusCode)
    .text(envelope.errorMessage)
    .metadata(envelope.metadata, envelope.metadataEntries)
    .number(envelope.timestamp)
    .stream(envelope.stream);
}

/** One ring's keys, ready for HMAC. */
interface Ring {
  keys: Map<string, KeyObject>;
  signWith: string;
}

function ring({ keys, signWith }: VrpcKeyRing, option: string): Ring {
  const map = new Map<string, KeyObject>();
  for (const [id, secret] of Object.entries(keys ?? {})) {
    const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
    if (bytes.byteLength < MIN_KEY_BYTES) throw new VrpcConfigError(`${option}.keys`, ConfigMessages.shortKey(id, bytes.byteLength));
    map.set(id, createSecretKey(bytes));
  }
  if (map.size === 0) throw new VrpcConfigError(`${option}.keys`, ConfigMessages.noKeys);
  if (!map.has(signWith)) throw new VrpcConfigError(`${option}.signWith`, ConfigMessages.unknownSigningKey(String(signWith)));
  return { keys: map, signWith };
}

function digest(key: KeyObject, write: (sink: Sink) => void): Buffer {
  const hmac: Hmac = createHmac('sha256', key);
  write((chunk) => hmac.update(chunk));
  return hmac.digest();
}

/**
 * Signs and checks envelopes with the keys of `security` (HMAC-SHA256 from `node:crypto`):
 * requests with the ring of their service, replies with the ring of the call's service and,
 * where that ring still lists it, the key the request was signed with (so that a caller who
 * has not yet learnt a new key can still check the replies during a rotation).
 */
export class EnvelopeSigner {
  private readonly fallback: Ring;
  private readonly services = new Map<string, Ring>();
  private readonly required: boolean;

  constructor(options: VrpcSecurityOptions) {
    this.fallback = ring(options, 'security');
    for (const [service, keys] of Object.entries(options.services ?? {})) {
      this.services.set(service, ring(keys, `security.services.${service}`));
    }
    this.required = options.require ?? true;
  }

  /** The request with its signature and key id. */
  signRequest(envelope: RequestEnvelope): RequestEnvelope {
    const { keys, signWith } = this.ring(envelope.serviceName);
    const key = keys.get(signWith) as KeyObject;
    const signature = digest(key, (sink) => writeRequest(envelope, signWith, sink));
    return { ...envelope, signature, keyId: signWith };
  }

  /** Checks a request with the keys of its service: accepted with the key that signed it, or refused and why. */
  verifyRequest(envelope: RequestEnvelope): SignatureVerdict {
    return this.verify(this.ring(envelope.serviceName), envelope, (keyId, sink) => writeRequest(envelope, keyId, sink));
  }

  /** The reply to a call of `service`, signed; `keyId`: the key its request was verified with. */
  signReply(service: string, reply: ResponseEnvelope, keyId?: string): ResponseEnvelope {
    const { keys, signWith } = this.ring(service);
    const id = keyId !== undefined && keys.has(keyId) ? keyId : signWith;
    const signature = digest(keys.get(id) as KeyObject, (sink) => writeResponse(reply, id, sink));
    return { ...reply, signature, keyId: id };
  }

  /** Checks a reply to a call of `service` (the default keys when it is not known). */
  verifyReply(reply: ResponseEnvelope, service?: string): SignatureVerdict {
    return this.verify(this.ring(service), reply, (keyId, sink) => writeResponse(reply, keyId, sink));
  }

  private ring(service: string | undefined): Ring {
    return (service !== undefined && this.services.get(service)) || this.fallback;
  }

  private verify(
    { keys }: Ring,
    envelope: { signature?: Uint8Array; keyId?: string },
    write: (keyId: string, sink: Sink) => void,
  ): SignatureVerdict {
    const { signature, keyId } = envelope;
    if (!signature && !keyId) return this.required ? { ok: false, reason: 'unsigned' } : { ok: true };
    const key = keyId === undefined ? undefined : keys.get(keyId);
    if (!key || keyId === undefined) return { ok: false, reason: 'unknown-key' };
    const expected = digest(key, (sink) => write(keyId, sink));
    if (!signature || signature.byteLength !== expected.byteLength || !timingSafeEqual(signature, expected)) {
      return { ok: false, reason: 'bad-signature' };
    }
    return { ok: true, keyId };
  }
}
