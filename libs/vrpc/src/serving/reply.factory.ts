import { status } from '@grpc/grpc-js';
import type { RequestEnvelope, ResponseEnvelope } from '../protocol/envelope.js';
import type { WireMetadata } from '../protocol/metadata.codec.js';
import type { ReplyStatus } from './status-from-error.js';

/** A successful reply carrying `payload`. */
export function okReply(envelope: RequestEnvelope, payload: Uint8Array, metadata: WireMetadata = { metadata: {} }): ResponseEnvelope {
  const reply: ResponseEnvelope = {
    requestId: envelope.requestId,
    payload,
    statusCode: status.OK,
    errorMessage: '',
    metadata: metadata.metadata,
    timestamp: Date.now(),
  };
  if (metadata.metadataEntries) reply.metadataEntries = metadata.metadataEntries;
  return reply;
}

/** The reply to `envelope` carrying an outcome (possibly one remembered from another call). */
export function replyFrom(envelope: RequestEnvelope, outcome: Omit<ResponseEnvelope, 'requestId' | 'timestamp'>): ResponseEnvelope {
  // Field by field rather than a spread: this is every reply's path.
  const reply: ResponseEnvelope = {
    requestId: envelope.requestId,
    payload: outcome.payload,
    statusCode: outcome.statusCode,
    errorMessage: outcome.errorMessage,
    metadata: outcome.metadata,
    timestamp: Date.now(),
  };
  if (outcome.metadataEntries) reply.metadataEntries = outcome.metadataEntries;
  return reply;
}

/** A failed reply carrying a gRPC status. */
export function errorReply(envelope: RequestEnvelope, reply: ReplyStatus): ResponseEnvelope {
  const error: ResponseEnvelope = {
    requestId: envelope.requestId,
    payload: Buffer.alloc(0),
    statusCode: reply.code,
    errorMessage: reply.message,
    metadata: reply.metadata ?? {},
    timestamp: Date.now(),
  };
  if (reply.metadataEntries) error.metadataEntries = reply.metadataEntries;
  return error;
}
