import type { IncomingMessage } from '../bus/bus.interface.js';
import type { RequestEnvelope, ResponseEnvelope } from '../protocol/envelope.js';

/** What vRPC verified about the caller of a request: nothing when no check applies. */
export interface CallerIdentity {
  /** The id of the key whose signature the request carried, checked (`security`). */
  keyId?: string;
  /** The bus principal that wrote the request, where the bus can tell. */
  principal?: string;
}

/**
 * Runs one request and returns its reply; never rejects (a failure is a reply with a gRPC
 * status). Nest handlers are one executor; the gateway's gRPC forwarding is another.
 */
export type RequestExecutor = (envelope: RequestEnvelope, message: IncomingMessage, caller: CallerIdentity) => Promise<ResponseEnvelope>;
