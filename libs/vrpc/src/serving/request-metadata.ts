import { type Metadata, status } from '@grpc/grpc-js';
import { MetadataMessages } from '../errors/vrpc.messages.js';
import type { RequestEnvelope, ResponseEnvelope } from '../protocol/envelope.js';
import { type InvalidMetadata, readMetadata } from '../protocol/metadata.codec.js';
import { logText } from '../utils/log-text.js';
import { type LogSink, RatedLog } from '../utils/rated-log.js';
import { errorReply } from './reply.factory.js';

/**
 * Reads requests' metadata for their handlers (or gRPC targets). A request carrying a key that
 * gRPC cannot carry is refused with INVALID_ARGUMENT naming the key, before anything runs, and
 * logged (once per interval, with the count of the others).
 */
export class RequestMetadataReader {
  private readonly rated: RatedLog;

  constructor(sink: LogSink, intervalMs?: number) {
    this.rated = new RatedLog(sink, intervalMs);
  }

  /** The request's metadata, or the reply that refuses it. */
  read(envelope: RequestEnvelope): Metadata | ResponseEnvelope {
    let invalid: InvalidMetadata | undefined;
    const metadata = readMetadata(envelope, (found) => (invalid ??= found));
    if (!invalid) return metadata;
    const key = logText(invalid.key);
    const { serviceName, methodName, requestId } = envelope;
    this.rated.note(
      'invalid-metadata',
      `refused request ${logText(requestId)} to ${logText(serviceName)}/${logText(methodName)}: metadata key "${key}": ${invalid.reason}`,
    );
    return errorReply(envelope, { code: status.INVALID_ARGUMENT, message: MetadataMessages.refused(key, invalid.reason) });
  }

  /** Writes what is counted and not yet written. */
  close(): void {
    this.rated.close();
  }
}
