import type { IncomingMessage } from '../bus/bus.interface.js';
import type { RequestEnvelope, ResponseEnvelope } from '../protocol/envelope.js';

/**
 * Runs one request and returns its reply; never rejects (a failure is a reply with a gRPC
 * status). Nest handlers are one executor; the gateway's gRPC forwarding is another.
 */
export type RequestExecutor = (envelope: RequestEnvelope, message: IncomingMessage) => Promise<ResponseEnvelope>;
