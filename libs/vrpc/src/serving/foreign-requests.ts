import type { Logger } from '@nestjs/common';
import type { RequestEnvelope } from '../protocol/envelope.js';
import { logText } from '../utils/log-text.js';
import { RatedLog } from '../utils/rated-log.js';
import { requestDeadline } from './request-deadline.js';

/**
 * Fills in what a request of the original vRPC's shape (fields 1–8 only) lacks: its deadline,
 * from `timestamp` + `timeout_ms`, and, when it names no `reply_to` and is not one-way, the
 * reply address: the configured reply topic, keyed by its request id (the original's fixed
 * response topic). Such requests are logged once per interval, so operators see the producer.
 */
export class ForeignRequests {
  private readonly rated: RatedLog;

  /** @param replyTopic where requests without `reply_to` are answered; without it they get no reply */
  constructor(
    private readonly replyTopic: string | undefined,
    logger: Logger,
  ) {
    this.rated = new RatedLog((line) => logger.log(line));
  }

  /** Writes what is counted and not yet logged. */
  close(): void {
    this.rated.close();
  }

  /** The envelope as the dispatcher serves it: the same object when nothing is missing. */
  complete(envelope: RequestEnvelope, now = Date.now()): RequestEnvelope {
    const deadline = requestDeadline(envelope, now);
    const address = !envelope.replyTo && !envelope.oneWay ? this.replyTopic : undefined;
    if (deadline === envelope.deadline && address === undefined) return envelope;
    if (address !== undefined) {
      const call = `${logText(envelope.serviceName)}/${logText(envelope.methodName)} ${logText(envelope.requestId)}`;
      this.rated.note('no-reply-to', `request ${call} from ${logText(envelope.clientId)} names no reply_to: answered on ${address}`);
    }
    return { ...envelope, deadline, replyTo: address ?? envelope.replyTo };
  }
}
