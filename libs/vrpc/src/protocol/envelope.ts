import protobuf from 'protobufjs';
import { ENVELOPE_PROTO } from './envelope.proto.js';
import { VrpcMessages } from '../errors/vrpc.messages.js';
import { type DecodedLong, longToNumber } from './long.js';
import { copyFrame, type DecodedFrame, type StreamFrame } from './stream-frame.js';

export { CallType, type StreamFrame } from './stream-frame.js';

/** One metadata key with all its values, in order: text values, or the bytes of a `-bin` key's. */
export interface MetadataEntry {
  key: string;
  values?: string[];
  binaryValues?: Uint8Array[];
}

/** A request as it travels on the bus. */
export interface RequestEnvelope {
  requestId: string;
  /** Fully-qualified service name, `package.Service`. */
  serviceName: string;
  methodName: string;
  /** The request message, encoded with the service's own proto. */
  payload: Uint8Array;
  metadata: Record<string, string>;
  /** When the call was made (ms since the epoch). */
  timestamp: number;
  timeoutMs: number;
  clientId: string;
  replyTo: string;
  replyPartition?: number;
  /** Absolute deadline (ms since the epoch). */
  deadline: number;
  taskKey: string;
  attempt: number;
  /** Fire-and-forget: no reply is published. */
  oneWay: boolean;
  /** The metadata exactly, when `metadata` (one text per key) cannot carry it; read before `metadata`. */
  metadataEntries?: MetadataEntry[];
  /** HMAC-SHA256 of the other fields (`security`); absent when unsigned. */
  signature?: Uint8Array;
  /** The id of the key that made `signature`. */
  keyId?: string;
  /** Set on every envelope of a streaming call. */
  stream?: StreamFrame;
}

/** A reply as it travels on the bus. */
export interface ResponseEnvelope {
  requestId: string;
  payload: Uint8Array;
  /** gRPC status code; 0 is OK. */
  statusCode: number;
  errorMessage: string;
  metadata: Record<string, string>;
  timestamp: number;
  /** As on a request. */
  metadataEntries?: MetadataEntry[];
  /** As on a request. */
  signature?: Uint8Array;
  /** As on a request. */
  keyId?: string;
  /** As on a request. */
  stream?: StreamFrame;
}

const root = protobuf.parse(ENVELOPE_PROTO, { keepCase: false }).root;
const requestType = root.lookupType('vrpc.VRPCRequest');
const responseType = root.lookupType('vrpc.VRPCResponse');
const EMPTY_BYTES = Buffer.alloc(0);

/** A decoded message's fields; those not on the wire read as their defaults (protobufjs' prototypes). */
interface DecodedRequest {
  requestId: string;
  serviceName: string;
  methodName: string;
  /** Not on the wire: protobufjs' frozen empty array, not bytes. */
  payload: Uint8Array;
  metadata: Record<string, string> | null;
  timestamp: DecodedLong;
  timeoutMs: DecodedLong;
  clientId: string;
  replyTo: string;
  replyPartition: number | null | undefined;
  deadline: DecodedLong;
  taskKey: string;
  attempt: number;
  oneWay: boolean;
  /** Not on the wire: an empty array. */
  metadataEntries: DecodedEntry[];
  /** Not on the wire: an empty array. */
  signature: Uint8Array;
  keyId: string;
  /** Not on the wire: null. */
  stream: DecodedFrame | null;
}

/** A decoded `MetadataEntry`; repeated fields not on the wire read as empty arrays. */
interface DecodedEntry {
  key: string;
  values: string[];
  binaryValues: Uint8Array[];
}

interface DecodedResponse {
  requestId: string;
  /** Not on the wire: protobufjs' frozen empty array, not bytes. */
  payload: Uint8Array;
  statusCode: number;
  errorMessage: string;
  metadata: Record<string, string> | null;
  timestamp: DecodedLong;
  metadataEntries: DecodedEntry[];
  signature: Uint8Array;
  keyId: string;
  stream: DecodedFrame | null;
}

/** A plain copy of a decoded map, as `toObject` makes it (a `__proto__` key stays a key). */
function copyMap(map: Record<string, string> | null): Record<string, string> {
  const copy: Record<string, string> = {};
  if (!map) return copy;
  for (const key of Object.keys(map)) {
    if (key === '__proto__') Object.defineProperty(copy, key, { value: map[key], enumerable: true, writable: true, configurable: true });
    else copy[key] = map[key];
  }
  return copy;
}

/** Plain copies of decoded entries, or nothing when there are none (the common case). */
function copyEntries(entries: DecodedEntry[]): MetadataEntry[] | undefined {
  if (entries.length === 0) return undefined;
  return entries.map(({ key, values, binaryValues }) => ({ key, values: [...values], binaryValues: [...binaryValues] }));
}

/** Copies the signature fields that are on the wire. */
function copySignature(message: { signature: Uint8Array; keyId: string }, env: { signature?: Uint8Array; keyId?: string }): void {
  if (message.signature.length > 0) env.signature = message.signature;
  if (message.keyId) env.keyId = message.keyId;
}

/** Encodes a request envelope. */
export function encodeRequest(envelope: RequestEnvelope): Buffer {
  const bytes = requestType.encode(envelope).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Decodes a request envelope; throws when the bytes are not one. The plain object is built
 * field by field, as `toObject({ longs: Number, defaults: true })` would build it, without
 * that generic conversion's default values (three `Long`s and a Buffer per call).
 */
export function decodeRequest(bytes: Uint8Array): RequestEnvelope {
  const message = requestType.decode(bytes) as unknown as DecodedRequest;
  const env: RequestEnvelope = {
    metadata: copyMap(message.metadata),
    requestId: message.requestId,
    serviceName: message.serviceName,
    methodName: message.methodName,
    payload: message.payload.length > 0 ? message.payload : EMPTY_BYTES,
    timestamp: longToNumber(message.timestamp),
    timeoutMs: longToNumber(message.timeoutMs),
    clientId: message.clientId,
    replyTo: message.replyTo,
    deadline: longToNumber(message.deadline),
    taskKey: message.taskKey,
    attempt: message.attempt,
    oneWay: message.oneWay,
  };
  if (message.replyPartition !== null && message.replyPartition !== undefined) env.replyPartition = message.replyPartition;
  const entries = copyEntries(message.metadataEntries);
  if (entries) env.metadataEntries = entries;
  copySignature(message, env);
  if (message.stream) env.stream = copyFrame(message.stream);
  if (!env.requestId || !env.serviceName || !env.methodName) {
    throw new Error(VrpcMessages.incompleteRequest);
  }
  return env;
}

/** Encodes a reply envelope. */
export function encodeResponse(envelope: ResponseEnvelope): Buffer {
  const bytes = responseType.encode(envelope).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes a reply envelope; throws when the bytes are not one. Built as `decodeRequest` builds its. */
export function decodeResponse(bytes: Uint8Array): ResponseEnvelope {
  const message = responseType.decode(bytes) as unknown as DecodedResponse;
  const env: ResponseEnvelope = {
    metadata: copyMap(message.metadata),
    requestId: message.requestId,
    payload: message.payload.length > 0 ? message.payload : EMPTY_BYTES,
    statusCode: message.statusCode,
    errorMessage: message.errorMessage,
    timestamp: longToNumber(message.timestamp),
  };
  const entries = copyEntries(message.metadataEntries);
  if (entries) env.metadataEntries = entries;
  copySignature(message, env);
  if (message.stream) env.stream = copyFrame(message.stream);
  if (!env.requestId) throw new Error(VrpcMessages.incompleteReply);
  return env;
}
