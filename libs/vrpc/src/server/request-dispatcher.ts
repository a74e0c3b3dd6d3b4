import { Logger } from '@nestjs/common';
import type { IncomingMessage, VrpcBus } from '../bus/bus.interface.js';
import { decodeRequest, encodeResponse, type RequestEnvelope } from '../codec/envelope.js';
import { retryUntil } from '../utils/retry.js';
import { VRPC_HEADERS } from '../vrpc.constants.js';
import type { RequestExecutor } from './request-executor.interface.js';

/** What the dispatcher needs. */
export interface DispatcherDeps {
  bus: VrpcBus;
  execute: RequestExecutor;
  deadLetterTopic: string;
  /** Logger context (default `VrpcServer`). */
  name?: string;
}

const DEAD_LETTER_RETRY_MS = 30_000;

/**
 * Turns one request message into one reply: reads the envelope, checks the deadline, runs the
 * executor, publishes the reply. Resolves only when the request is done with (reply
 * published, or skipped for a logged reason), so the bus may acknowledge it; bad input never
 * makes it reject.
 */
export class RequestDispatcher {
  private readonly logger: Logger;

  constructor(private readonly deps: DispatcherDeps) {
    this.logger = new Logger(deps.name ?? 'VrpcServer');
  }

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
    const reply = await this.deps.execute(envelope, message);
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
