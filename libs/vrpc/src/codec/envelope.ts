import protobuf from 'protobufjs';
import { ENVELOPE_PROTO } from './envelope.proto.js';

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
}

const root = protobuf.parse(ENVELOPE_PROTO, { keepCase: false }).root;
const requestType = root.lookupType('vrpc.VRPCRequest');
const responseType = root.lookupType('vrpc.VRPCResponse');
const toObjectOptions: protobuf.IConversionOptions = { longs: Number, defaults: true };

function normalizeRequest(raw: Record<string, unknown>): RequestEnvelope {
  const env = raw as unknown as RequestEnvelope;
  if (raw.replyPartition === undefined || raw.replyPartition === null) delete env.replyPartition;
  return env;
}

/** Encodes a request envelope. */
export function encodeRequest(envelope: RequestEnvelope): Buffer {
  const bytes = requestType.encode(envelope).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes a request envelope; throws when the bytes are not one. */
export function decodeRequest(bytes: Uint8Array): RequestEnvelope {
  const message = requestType.decode(bytes);
  const env = normalizeRequest(requestType.toObject(message, toObjectOptions));
  if (!env.requestId || !env.serviceName || !env.methodName) {
    throw new Error('envelope lacks request_id, service_name or method_name');
  }
  return env;
}

/** Encodes a reply envelope. */
export function encodeResponse(envelope: ResponseEnvelope): Buffer {
  const bytes = responseType.encode(envelope).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes a reply envelope; throws when the bytes are not one. */
export function decodeResponse(bytes: Uint8Array): ResponseEnvelope {
  const message = responseType.decode(bytes);
  const env = responseType.toObject(message, toObjectOptions) as unknown as ResponseEnvelope;
  if (!env.requestId) throw new Error('reply envelope lacks request_id');
  return env;
}
