import { Metadata, type ServiceError, status, type StatusObject } from '@grpc/grpc-js';
import type { RequestEnvelope, ResponseEnvelope } from '../protocol/envelope.js';
import { grpcPath } from './grpc-path.js';
import { errorReply, okReply } from '../serving/reply.factory.js';
import type { RequestExecutor } from '../serving/request-executor.interface.js';
import { replyMetadata, requestMetadata } from './forward-metadata.js';
import { GatewayMessages } from '../errors/vrpc.messages.js';
import type { GrpcTargetPool } from './grpc-target-pool.js';
import { RequestMetadataReader } from '../serving/request-metadata.js';
import { Logger } from '@nestjs/common';
import type { VrpcTelemetry } from '../telemetry/vrpc-telemetry.js';
import { forwardObservation, withForwardTrace } from './forward-trace.js';

// The payload already holds the bytes gRPC puts on the wire, and the reply goes back as bytes.
const identity = (bytes: Buffer): Buffer => bytes;

function payloadOf(envelope: RequestEnvelope): Buffer {
  const { payload } = envelope;
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

/**
 * Forwards a request to the gRPC server configured for its service, untouched: payload bytes,
 * metadata and deadline go out, the reply bytes or the status (with headers and trailers)
 * come back. Needs no stubs of the target. An unreachable target answers UNAVAILABLE. With
 * `telemetry` (the gateway's) the forward is a CLIENT span, whose context the target receives.
 */
export function grpcForwardExecutor(pool: GrpcTargetPool, telemetry?: VrpcTelemetry): RequestExecutor {
  const logger = new Logger('VrpcGateway');
  const metadataReader = new RequestMetadataReader((line) => logger.warn(line));
  return (envelope) =>
    new Promise<ResponseEnvelope>((settle) => {
      const client = pool.clientFor(envelope.serviceName);
      if (!client) {
        settle(errorReply(envelope, { code: status.UNIMPLEMENTED, message: GatewayMessages.noTarget(envelope.serviceName) }));
        return;
      }
      const metadata = metadataReader.read(envelope);
      if (!(metadata instanceof Metadata)) {
        settle(metadata);
        return;
      }
      const observation = forwardObservation(telemetry, pool, envelope);
      const resolve = (reply: ResponseEnvelope): void => {
        observation.end(reply.statusCode, reply.errorMessage);
        settle(reply);
      };
      let outcome: { error: ServiceError | null; reply?: Buffer } | undefined;
      let headers = new Metadata();
      try {
        const call = client.makeUnaryRequest<Buffer, Buffer>(
          grpcPath(envelope.serviceName, envelope.methodName),
          identity,
          identity,
          payloadOf(envelope),
          withForwardTrace(requestMetadata(metadata), observation),
          { deadline: envelope.deadline > 0 ? envelope.deadline : Infinity },
          (error, reply) => (outcome = { error, reply }),
        );
        call.on('metadata', (received: Metadata) => (headers = received));
        // grpc-js runs the callback first, then emits 'status': by then both are known.
        call.on('status', (final: StatusObject) => {
          const error = outcome?.error;
          if (error || !outcome?.reply) {
            resolve(
              errorReply(envelope, {
                code: error?.code ?? status.INTERNAL,
                message: error?.details ?? GatewayMessages.forwardFailed('no reply'),
                ...replyMetadata(headers, final.metadata),
              }),
            );
            return;
          }
          resolve(okReply(envelope, outcome.reply, replyMetadata(headers, final.metadata)));
        });
      } catch (error: unknown) {
        resolve(errorReply(envelope, { code: status.INTERNAL, message: GatewayMessages.forwardFailed(String(error)) }));
      }
    });
}
