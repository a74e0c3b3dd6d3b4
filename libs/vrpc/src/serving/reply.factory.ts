import { status } from '@grpc/grpc-js';
import type { RequestEnvelope, ResponseEnvelope } from '../protocol/envelope.js';
import type { ReplyStatus } from './status-from-error.js';

/** A successful reply carrying `payload`. */
export function okReply(envelope: RequestEnvelope, payload: Uint8Array, metadata: Record<string, string> = {}): ResponseEnvelope {
  return { requestId: envelope.requestId, payload, statusCode: status.OK, errorMessage: '', metadata, timestamp: Date.now() };
}

/** The reply to `envelope` carrying an outcome (possibly one remembered from another call). */
export function replyFrom(envelope: RequestEnvelope, outcome: Omit<ResponseEnvelope, 'requestId' | 'timestamp'>): ResponseEnvelope {
  // Field by field rather than a spread: this is every reply's path.
  return {
    requestId: envelope.requestId,
    payload: outcome.payload,
    statusCode: outcome.statusCode,
    errorMessage: outcome.errorMessage,
    metadata: outcome.metadata,
    timestamp: Date.now(),
  };
}

/** A failed reply carrying a gRPC status. */
export function errorReply(envelope: RequestEnvelope, reply: ReplyStatus): ResponseEnvelope {
  return {
    requestId: envelope.requestId,
    payload: Buffer.alloc(0),
    statusCode: reply.code,
    errorMessage: reply.message,
    metadata: reply.metadata ?? {},
    timestamp: Date.now(),
  };
}
