import {
  type Client,
  type ClientDuplexStream,
  type ClientReadableStream,
  type ClientWritableStream,
  Metadata,
  status,
  type StatusObject,
} from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { GatewayMessages, StreamMessages } from '../errors/vrpc.messages.js';
import { asBuffer } from '../protocol/bytes.js';
import { CallType } from '../protocol/envelope.js';
import { errorReply } from '../serving/reply.factory.js';
import { RequestMetadataReader } from '../serving/request-metadata.js';
import type { StreamCallIO, StreamExecutor } from '../serving/stream-executor.interface.js';
import { replyMetadata, requestMetadata } from './forward-metadata.js';
import { grpcPath } from './grpc-path.js';
import type { GrpcTargetPool } from './grpc-target-pool.js';
import type { CallObservation } from '../telemetry/call-observation.js';
import type { VrpcTelemetry } from '../telemetry/vrpc-telemetry.js';
import { forwardObservation, withForwardTrace } from './forward-trace.js';

/** `vrpc.call.type` of each streaming call type. */
const CALL_TYPE_NAMES: Record<number, string> = {
  [CallType.SERVER_STREAMING]: 'server_stream',
  [CallType.CLIENT_STREAMING]: 'client_stream',
  [CallType.BIDI_STREAMING]: 'bidi',
};

// Messages go through as the bytes gRPC puts on the wire: the gateway has no protos.
const identity = (bytes: Buffer): Buffer => bytes;

type AnyCall = ClientReadableStream<Buffer> | ClientWritableStream<Buffer> | ClientDuplexStream<Buffer, Buffer>;

/** The caller's messages go to the target only as its `write()` accepts them: one read per accepted write, the next after 'drain'. */
function pipeRequests(io: StreamCallIO, call: ClientWritableStream<Buffer> | ClientDuplexStream<Buffer, Buffer>): void {
  io.onRequests({
    message: (payload) => {
      if (call.write(payload)) io.read(1);
      else call.once('drain', () => io.read(1));
    },
    end: () => call.end(),
  });
  io.read(1);
}

/** The target's messages go to the caller as its window allows: the target's stream is paused while the session cannot write. */
function pipeReplies(io: StreamCallIO, call: ClientReadableStream<Buffer> | ClientDuplexStream<Buffer, Buffer>): void {
  call.on('data', (payload: Buffer) => {
    if (io.write(payload)) return;
    call.pause();
    void io.whenWritable().then(() => call.resume());
  });
}

/** Opens the call on the target for the opening's call type (the gateway cannot know it otherwise). */
function open(
  io: StreamCallIO,
  client: Client,
  metadata: Metadata,
  observation: CallObservation,
  settle: (reply: Buffer | undefined) => void,
): AnyCall {
  const { opening } = io;
  const path = grpcPath(opening.serviceName, opening.methodName);
  const options = { deadline: opening.deadline > 0 ? opening.deadline : Infinity };
  const outgoing = withForwardTrace(requestMetadata(metadata), observation);
  switch (io.callType) {
    case CallType.SERVER_STREAMING: {
      const call = client.makeServerStreamRequest(path, identity, identity, asBuffer(opening.payload), outgoing, options);
      pipeReplies(io, call);
      return call;
    }
    case CallType.CLIENT_STREAMING: {
      const call = client.makeClientStreamRequest(path, identity, identity, outgoing, options, (_error, reply) => settle(reply));
      pipeRequests(io, call);
      return call;
    }
    default: {
      const call = client.makeBidiStreamRequest(path, identity, identity, outgoing, options);
      pipeRequests(io, call);
      pipeReplies(io, call);
      return call;
    }
  }
}

/**
 * Forwards the three streaming call types to the gRPC server configured for the service with
 * grpc-js' generic client, bytes in and bytes out, flow control end to end; the target's status,
 * headers and trailers become the end of the stream. A call that stops on the bus side (cancel,
 * deadline, silence, the gateway closing) cancels the target's call.
 */
export function grpcStreamForwardExecutor(pool: GrpcTargetPool, telemetry?: VrpcTelemetry): StreamExecutor {
  const logger = new Logger('VrpcGateway');
  const metadataReader = new RequestMetadataReader((line) => logger.warn(line));
  return (envelope) => {
    const client = pool.clientFor(envelope.serviceName);
    if (!client) return errorReply(envelope, { code: status.UNIMPLEMENTED, message: GatewayMessages.noTarget(envelope.serviceName) });
    const callType = envelope.stream?.callType;
    if (callType !== CallType.SERVER_STREAMING && callType !== CallType.CLIENT_STREAMING && callType !== CallType.BIDI_STREAMING) {
      return errorReply(envelope, {
        code: status.UNIMPLEMENTED,
        message: StreamMessages.unsupported(envelope.serviceName, envelope.methodName),
      });
    }
    const metadata = metadataReader.read(envelope);
    if (!(metadata instanceof Metadata)) return metadata;
    return (io) => {
      let reply: Buffer | undefined;
      let headers = new Metadata();
      let call: AnyCall;
      // The forward's CLIENT span, from opening the target's call to its status (or the bus side stopping).
      const observation = forwardObservation(telemetry, pool, envelope, CALL_TYPE_NAMES[callType]);
      try {
        call = open(io, client, metadata, observation, (value) => (reply = value));
      } catch (error: unknown) {
        const message = GatewayMessages.forwardFailed(String(error));
        observation.end(status.INTERNAL, message);
        io.end({ code: status.INTERNAL, message });
        return;
      }
      call.on('metadata', (received: Metadata) => (headers = received));
      // The status follows every error: the call ends there.
      call.on('error', () => undefined);
      let ended = false;
      const finish = (final: StatusObject): void => {
        if (ended) return;
        ended = true;
        observation.end(final.code, final.details);
        const payload = final.code === status.OK ? reply : undefined;
        io.end({ code: final.code, message: final.details, payload, ...replyMetadata(headers, final.metadata) });
      };
      call.on('status', (final: StatusObject) => {
        // grpc-js reports the status while messages may still wait in a paused stream: they go first.
        if (!('readableLength' in call) || call.readableLength === 0) return finish(final);
        call.once('end', () => finish(final));
        call.once('close', () => finish(final));
      });
      io.signal.addEventListener(
        'abort',
        () => {
          call.cancel();
          observation.end(status.CANCELLED, 'the stream stopped on the bus side');
        },
        { once: true },
      );
    };
  };
}
