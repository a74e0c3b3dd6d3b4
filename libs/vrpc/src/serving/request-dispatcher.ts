import { Logger } from '@nestjs/common';
import type { IncomingMessage, VrpcBus } from '../bus/bus.interface.js';
import { status } from '@grpc/grpc-js';
import { decodeRequest, type RequestEnvelope } from '../protocol/envelope.js';
import { DEFAULT_MAX_DELIVERIES } from '../protocol/vrpc.constants.js';
import { VrpcMessages } from '../errors/vrpc.messages.js';
import { RecentRequests } from './recent-requests.js';
import { errorReply } from './reply.factory.js';
import { ReplySender } from './reply-sender.js';
import type { RequestExecutor } from './request-executor.interface.js';

/** What the dispatcher needs. */
export interface DispatcherDeps {
  bus: VrpcBus;
  execute: RequestExecutor;
  deadLetterTopic: string;
  /** Deliveries after which a request that never finished is dead-lettered (default 5). */
  maxDeliveries?: number;
  /** Longest a retriable failure to publish a reply or dead letter is retried, in ms (default 5 000). */
  publishRetryMs?: number;
  /** Logger context (default `VrpcServer`). */
  name?: string;
}

/**
 * Turns one request message into one reply: reads the envelope, checks the deadline, runs the
 * executor (once per request id in this process), publishes the reply. Resolves only when the
 * request is done with (reply published, or skipped for a logged reason), so the bus may
 * acknowledge it. Bad input never makes it reject; only a bus that cannot take a dead letter
 * for `publishRetryMs` (a retriable failure) does, which leaves the message unacknowledged.
 */
export class RequestDispatcher {
  private readonly logger: Logger;
  private readonly recent = new RecentRequests();
  private readonly sender: ReplySender;

  constructor(private readonly deps: DispatcherDeps) {
    this.logger = new Logger(deps.name ?? 'VrpcServer');
    this.sender = new ReplySender(deps.bus, deps.deadLetterTopic, this.logger, { publishRetryMs: deps.publishRetryMs });
  }

  async dispatch(message: IncomingMessage): Promise<void> {
    let envelope: RequestEnvelope;
    try {
      envelope = decodeRequest(message.value);
    } catch (error: unknown) {
      await this.sender.deadLetter(message, `unreadable envelope: ${String(error)}`);
      return;
    }
    const deliveries = message.deliveryCount ?? 1;
    if (deliveries > (this.deps.maxDeliveries ?? DEFAULT_MAX_DELIVERIES)) {
      const reason = `poison: delivered ${deliveries} times without finishing`;
      await this.sender.deadLetter(message, reason);
      await this.sender.reply(envelope, errorReply(envelope, { code: status.ABORTED, message: VrpcMessages.setAside(reason) }));
      return;
    }
    if (envelope.deadline > 0 && envelope.deadline <= Date.now()) {
      this.logger.debug(`skipped ${envelope.serviceName}/${envelope.methodName} ${envelope.requestId}: deadline passed`);
      return;
    }
    const ran = await this.recent.once(envelope.requestId, async () =>
      this.sender.reply(envelope, await this.deps.execute(envelope, message)),
    );
    if (!ran) this.logger.debug(`skipped a second copy of ${envelope.requestId}`);
  }
}
