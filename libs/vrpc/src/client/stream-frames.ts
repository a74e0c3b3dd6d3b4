import type { InboxAddress, OutgoingMessage } from '../bus/bus.interface.js';
import type { RequestEnvelope, StreamFrame } from '../protocol/envelope.js';
import type { EnvelopeSigner } from '../protocol/envelope-signature.js';
import type { VrpcHeaderSet } from '../protocol/wire-headers.js';
import { requestMessage, type RequestParts } from './request-message.js';

const EMPTY = Buffer.alloc(0);

/**
 * The envelope of one of the caller's later frames (message, end, cancel, heartbeat): only the
 * call's id, service, method and client id besides the frame (docs/streaming.md).
 */
export function frameEnvelope(parts: RequestParts, frame: StreamFrame, payload?: Buffer): RequestEnvelope {
  return {
    requestId: parts.id,
    serviceName: parts.serviceName,
    methodName: parts.method,
    payload: payload ?? EMPTY,
    metadata: {},
    timestamp: 0,
    timeoutMs: 0,
    clientId: parts.clientId,
    replyTo: '',
    deadline: 0,
    taskKey: '',
    attempt: 0,
    oneWay: false,
    stream: frame,
  };
}

/** The bus message of a frame to the server's inbox, keyed by the call id, signed when signing is on. */
export function frameMessage(
  envelope: RequestEnvelope,
  target: InboxAddress,
  signer?: EnvelopeSigner,
  headers?: VrpcHeaderSet,
): OutgoingMessage {
  const message = requestMessage(envelope, target.topic, signer, undefined, headers);
  if (target.partition !== undefined) message.partition = target.partition;
  return message;
}
