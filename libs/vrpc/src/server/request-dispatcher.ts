import { status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import type { MessageHandler as NestHandler } from '@nestjs/microservices';
import { lastValueFrom, type Observable } from 'rxjs';
import type { IncomingMessage, VrpcBus } from '../bus/bus.interface.js';
import { decodeRequest, encodeResponse, type RequestEnvelope, type ResponseEnvelope } from '../codec/envelope.js';
import { mapToMetadata } from '../codec/metadata.codec.js';
import type { ProtoRegistry } from '../codec/proto-registry.js';
import { statusFromError, type ReplyStatus } from '../errors/status-from-error.js';
import { retryUntil } from '../utils/retry.js';
import { VRPC_HEADERS } from '../vrpc.constants.js';
import { VrpcMessages } from '../vrpc.messages.js';
import { handlerKey } from './handler-index.js';
import { VrpcContext } from './vrpc.context.js';

/** What the dispatcher needs from its server. */
export interface DispatcherDeps {
  bus: VrpcBus;
  registry: ProtoRegistry;
  handlers: Map<string, NestHandler>;
  deadLetterTopic: string;
  toObservable: (result: unknown) => Observable<unknown>;
}

const DEAD_LETTER_RETRY_MS = 30_000;

/**
 * Turns one request message into one reply: reads the envelope, checks the deadline, runs the
 * handler through Nest's pipeline, publishes the reply. Resolves only when the request is
 * done with (reply published, or skipped for a reason that was logged), so the bus may
 * acknowledge it; it never rejects for bad input.
 */
export class RequestDispatcher {
  private readonly logger = new Logger('VrpcServer');

  constructor(private readonly deps: DispatcherDeps) {}

  async dispatch(message: IncomingMessage): Promise<void> {
    let envelope: RequestEnvelope;
    try {
      envelope = decodeRequest(message.value);
    } catch (error: unknown) {
      await this.deadLetter(message, `unreadable envelope: ${String(error)}`);
      return;
    }
    if (envelope.deadline > 0 && envelope.deadline <= Date.now()) {
      this.logger.debug(`skipped ${envelope.serviceName}/${envelope.methodName} ${envelope.requestId}: deadline passed`);
      return;
    }
    const reply = await this.execute(envelope, message);
    if (envelope.oneWay || !envelope.replyTo) return;
    const deadline = envelope.deadline > 0 ? envelope.deadline : Date.now() + DEAD_LETTER_RETRY_MS;
    try {
      await retryUntil(deadline, () =>
        this.deps.bus.publish([
          {
            topic: envelope.replyTo,
            partition: envelope.replyPartition,
            key: envelope.replyPartition === undefined ? envelope.requestId : undefined,
            value: encodeResponse(reply),
            headers: { [VRPC_HEADERS.id]: envelope.requestId, [VRPC_HEADERS.status]: String(reply.statusCode) },
          },
        ]),
      );
    } catch (error: unknown) {
      this.logger.error(`reply to ${envelope.requestId} not published before its deadline: ${String(error)}`);
    }
  }

  private async execute(envelope: RequestEnvelope, message: IncomingMessage): Promise<ResponseEnvelope> {
    const { serviceName, methodName } = envelope;
    const service = this.deps.registry.find(serviceName);
    const method = service?.methods.get(methodName);
    const handler = service && this.deps.handlers.get(handlerKey(service.fullName, methodName));
    if (!method || !handler) {
      return this.failure(envelope, { code: status.UNIMPLEMENTED, message: VrpcMessages.unknownMethod(serviceName, methodName) });
    }
    if (method.streaming) {
      return this.failure(envelope, { code: status.UNIMPLEMENTED, message: VrpcMessages.streamingUnsupported(serviceName, methodName) });
    }
    let data: unknown;
    try {
      data = method.decodeRequest(Buffer.from(envelope.payload));
    } catch {
      return this.failure(envelope, { code: status.INVALID_ARGUMENT, message: VrpcMessages.invalidPayload(serviceName, methodName) });
    }
    try {
      const context = new VrpcContext([envelope, message]);
      // Nest's gRPC handlers take (data, metadata, call); the context stands where `call` would.
      const grpcHandler = handler as unknown as (...args: unknown[]) => Promise<unknown>;
      const result = await grpcHandler(data, mapToMetadata(envelope.metadata), context);
      const value = await lastValueFrom(this.deps.toObservable(result), { defaultValue: {} });
      return this.success(envelope, method.encodeResponse(value ?? {}));
    } catch (error: unknown) {
      return this.failure(envelope, statusFromError(error));
    }
  }

  private success(envelope: RequestEnvelope, payload: Buffer): ResponseEnvelope {
    return { requestId: envelope.requestId, payload, statusCode: status.OK, errorMessage: '', metadata: {}, timestamp: Date.now() };
  }

  private failure(envelope: RequestEnvelope, reply: ReplyStatus): ResponseEnvelope {
    return {
      requestId: envelope.requestId,
      payload: Buffer.alloc(0),
      statusCode: reply.code,
      errorMessage: reply.message,
      metadata: reply.metadata ?? {},
      timestamp: Date.now(),
    };
  }

  private async deadLetter(message: IncomingMessage, reason: string): Promise<void> {
    const source = `${message.topic}[${message.partition}]@${message.offset}`;
    this.logger.warn(`dead-lettered ${source}: ${reason}`);
    await retryUntil(Date.now() + DEAD_LETTER_RETRY_MS, () =>
      this.deps.bus.publish([
        {
          topic: this.deps.deadLetterTopic,
          key: message.key ?? undefined,
          value: message.value,
          headers: { ...message.headers, [VRPC_HEADERS.deadReason]: reason, [VRPC_HEADERS.deadSource]: source },
        },
      ]),
    );
  }
}
