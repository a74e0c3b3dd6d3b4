import type { IncomingMessage } from '../bus/bus.interface.js';
import type { RequestEnvelope, ResponseEnvelope } from '../protocol/envelope.js';

/**
 * What vRPC verified about the caller of a request, for guards (`VrpcContext.getCaller()`).
 * Empty when nothing was verified: metadata the caller wrote is not identity.
 */
export interface CallerIdentity {
  /** The id of the key whose signature over the envelope was verified (signed envelopes). */
  keyId?: string;
  /** The caller's principal, where the bus can tell who produced the message. */
  principal?: string;
}

/**
 * Runs one request and returns its reply; never rejects (a failure is a reply with a gRPC
 * status). Nest handlers are one executor; the gateway's gRPC forwarding is another.
 */
export type RequestExecutor = (envelope: RequestEnvelope, message: IncomingMessage, caller: CallerIdentity) => Promise<ResponseEnvelope>;
