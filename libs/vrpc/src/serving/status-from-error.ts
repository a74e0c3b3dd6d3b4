import { Metadata, status } from '@grpc/grpc-js';
import type { MetadataEntry } from '../protocol/envelope.js';
import { writeMetadata } from '../protocol/metadata.codec.js';
import { MESSAGES } from '@nestjs/core/constants.js';
import { VrpcMessages } from '../errors/vrpc.messages.js';

/** A gRPC status to put in a reply. */
export interface ReplyStatus {
  code: status;
  message: string;
  metadata?: Record<string, string>;
  /** The metadata exactly, where `metadata` cannot carry it. */
  metadataEntries?: MetadataEntry[];
}

function isStatusCode(value: unknown): value is status {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 16;
}

/**
 * Maps what a handler's pipeline threw to a gRPC status, as Nest's gRPC transport does:
 * `RpcException({ code, message })` keeps its code; anything else is INTERNAL with a safe
 * message (the exception filter has already replaced unknown errors' text).
 */
export function statusFromError(error: unknown): ReplyStatus {
  if (typeof error === 'object' && error !== null) {
    const { code, message, details, metadata } = error as { code?: unknown; message?: unknown; details?: unknown; metadata?: unknown };
    if (isStatusCode(code)) {
      const text = typeof message === 'string' ? message : typeof details === 'string' ? details : '';
      // RpcException({ code, message, metadata }) carries trailers, as grpc-js errors do.
      return { code, message: text, ...(metadata instanceof Metadata ? writeMetadata(metadata) : {}) };
    }
    // Nest's exception filter turns unknown errors into this safe shape; RpcException('text') too.
    if (typeof message === 'string' && (error as { status?: unknown }).status === 'error') {
      const code = message === MESSAGES.UNKNOWN_EXCEPTION_MESSAGE ? status.INTERNAL : status.UNKNOWN;
      return { code, message };
    }
  }
  if (typeof error === 'string') return { code: status.UNKNOWN, message: error };
  return { code: status.INTERNAL, message: VrpcMessages.internal };
}
