import type { Logger } from '@nestjs/common';
import type { IncomingMessage, VrpcBus } from '../bus/bus.interface.js';
import { encodeResponse, type RequestEnvelope, type ResponseEnvelope } from '../protocol/envelope.js';
import { VRPC_HEADERS } from '../protocol/vrpc.constants.js';
import { retryUntil } from '../utils/retry.js';

const DEAD_LETTER_RETRY_MS = 30_000;

/** Publishes what the dispatcher sends out: replies to callers and dead letters. */
export class ReplySender {
  constructor(
    private readonly bus: VrpcBus,
    private readonly deadLetterTopic: string,
    private readonly logger: Logger,
  ) {}

  /** Publishes the reply, retrying until the call's deadline; one-way calls get none. */
  async reply(envelope: RequestEnvelope, reply: ResponseEnvelope): Promise<void> {
    if (envelope.oneWay || !envelope.replyTo) return;
    const deadline = envelope.deadline > 0 ? envelope.deadline : Date.now() + DEAD_LETTER_RETRY_MS;
    try {
      await retryUntil(deadline, () =>
        this.bus.publish([
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

  /** Publishes the message as it came to the dead-letter topic, with the reason in a header. */
  async deadLetter(message: IncomingMessage, reason: string): Promise<void> {
    const source = `${message.topic}[${message.partition}]@${message.offset}`;
    this.logger.warn(`dead-lettered ${source}: ${reason}`);
    await retryUntil(Date.now() + DEAD_LETTER_RETRY_MS, () =>
      this.bus.publish([
        {
          topic: this.deadLetterTopic,
          key: message.key ?? undefined,
          value: message.value,
          headers: { ...message.headers, [VRPC_HEADERS.deadReason]: reason, [VRPC_HEADERS.deadSource]: source },
        },
      ]),
    );
  }
}
