import type { Metadata } from '@grpc/grpc-js';
import type { BusInbox, OutgoingMessage } from '../bus/bus.interface.js';
import { encodeRequest, type RequestEnvelope, type StreamFrame } from '../protocol/envelope.js';
import type { EnvelopeSigner } from '../protocol/envelope-signature.js';
import { type WireMetadata, writeMetadata } from '../protocol/metadata.codec.js';
import { VRPC_TASK_KEY_METADATA } from '../protocol/vrpc.constants.js';
import { DEFAULT_HEADER_SET, requestHeaders, type VrpcHeaderSet } from '../protocol/wire-headers.js';
import { TRACE_KEYS } from '../telemetry/trace-carrier.js';
import type { VrpcCallOptions } from './call-options.interface.js';

/** Everything one call's envelope is made of. */
export interface RequestParts {
  clientId: string;
  serviceName: string;
  method: string;
  id: string;
  payload: Buffer;
  metadata?: Metadata;
  options?: VrpcCallOptions;
  deadline: number;
  now: number;
  /** No reply is wanted (`emit()`): published without an inbox, not registered as a pending call. */
  oneWay?: boolean;
  /** A streaming call's opening frame (docs/streaming.md); unary calls have none. */
  stream?: StreamFrame;
  /** The call span's trace entries (`traceparent`…): sent in the metadata and as headers, replacing the caller's own. */
  trace?: Record<string, string>;
}

/** The envelope of one call; the reply goes to `inbox`, and without one the call is one-way. */
export function requestEnvelope(
  { clientId, serviceName, method, id, payload, metadata, options, deadline, now, stream, trace }: RequestParts,
  inbox?: BusInbox,
): RequestEnvelope {
  const wire = writeMetadata(metadata);
  if (trace !== undefined) withTrace(wire, trace);
  const map = wire.metadata;
  const envelope: RequestEnvelope = {
    requestId: id,
    serviceName,
    methodName: method,
    payload,
    metadata: map,
    timestamp: now,
    timeoutMs: deadline - now,
    clientId,
    replyTo: inbox?.address.topic ?? '',
    replyPartition: inbox?.address.partition,
    deadline,
    taskKey: options?.taskKey ?? map[VRPC_TASK_KEY_METADATA] ?? '',
    attempt: 0,
    oneWay: inbox === undefined,
  };
  if (wire.metadataEntries) envelope.metadataEntries = wire.metadataEntries;
  if (stream) envelope.stream = stream;
  return envelope;
}

/**
 * The bus message that carries an envelope to `topic`: keyed by task key, else by id; the id
 * (and with `readable` headers the service and method) in headers; signed by `signer` when
 * signing is on (last, over the envelope exactly as sent).
 */
export function requestMessage(
  envelope: RequestEnvelope,
  topic: string,
  signer?: EnvelopeSigner,
  trace?: Record<string, string>,
  headers: VrpcHeaderSet = DEFAULT_HEADER_SET,
): OutgoingMessage {
  const message: OutgoingMessage = {
    topic,
    key: envelope.taskKey || envelope.requestId,
    value: encodeRequest(signer ? signer.signRequest(envelope) : envelope),
    headers: requestHeaders(envelope, headers),
  };
  if (trace !== undefined) Object.assign(message.headers as Record<string, string>, trace);
  return message;
}

/** Puts the call's trace entries in the metadata, in place of any the caller's metadata held. */
function withTrace(wire: WireMetadata, trace: Record<string, string>): void {
  for (const key of TRACE_KEYS) delete wire.metadata[key];
  Object.assign(wire.metadata, trace);
  if (!wire.metadataEntries) return;
  const kept = wire.metadataEntries.filter((entry) => !(TRACE_KEYS as readonly string[]).includes(entry.key));
  wire.metadataEntries = [...kept, ...Object.keys(trace).map((key) => ({ key, values: [trace[key]] }))];
}
