import { Logger } from '@nestjs/common';
import type { IncomingMessage, VrpcBus } from '../bus/bus.interface.js';
import { status } from '@grpc/grpc-js';
import { decodeRequest, encodeResponse, type RequestEnvelope, type ResponseEnvelope } from '../protocol/envelope.js';
import { retryUntil } from '../utils/retry.js';
import { DEFAULT_MAX_DELIVERIES, VRPC_HEADERS } from '../protocol/vrpc.constants.js';
import { VrpcMessages } from '../errors/vrpc.messages.js';
import { RecentRequests } from './recent-requests.js';
import { errorReply } from './reply.factory.js';
import type { RequestExecutor } from './request-executor.interface.js';

/** What the dispatcher needs. */
export interface DispatcherDeps {
  bus: VrpcBus;
  execute: RequestExecutor;
  deadLetterTopic: string;
  /** Deliveries after which a request that never finished is dead-lettered (default 5). */
  maxDeliveries?: number;
  /** Logger context (default `VrpcServer`). */
  name?: string;
}

const DEAD_LETTER_RETRY_MS = 30_000;

/**
 * Turns one request message into one reply: reads the envelope, checks the deadline, runs the
 * executor (once per request id in this process), publishes the reply. Resolves only when the
 * request is done with (reply published, or skipped for a logged reason), so the bus may
 * acknowledge it. Bad input never makes it reject; only a bus that cannot take a dead letter
 * for 30 s does, which leaves the message unacknowledged, to be read again.
 */
export class RequestDispatcher {
  private readonly logger: Logger;
  private readonly recent = new RecentRequests();

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
    const deliveries = message.deliveryCount ?? 1;
    if (deliveries > (this.deps.maxDeliveries ?? DEFAULT_MAX_DELIVERIES)) {
      const reason = `poison: delivered ${deliveries} times without finishing`;
      await this.deadLetter(message, reason);
      await this.reply(envelope, errorReply(envelope, { code: status.ABORTED, message: VrpcMessages.setAside(reason) }));
      return;
    }
    if (envelope.deadline > 0 && envelope.deadline <= Date.now()) {
      this.logger.debug(`skipped ${envelope.serviceName}/${envelope.methodName} ${envelope.requestId}: deadline passed`);
      return;
    }
    const ran = await this.recent.once(envelope.requestId, async () => this.reply(envelope, await this.deps.execute(envelope, message)));
    if (!ran) this.logger.debug(`skipped a second copy of ${envelope.requestId}`);
  }

  /** Publishes the reply, retrying until the call's deadline; one-way calls get none. */
  private async reply(envelope: RequestEnvelope, reply: ResponseEnvelope): Promise<void> {
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
