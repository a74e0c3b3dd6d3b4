import { status } from '@grpc/grpc-js';
import type { Logger } from '@nestjs/common';
import type { IncomingMessage, OutgoingMessage, VrpcBus } from '../bus/bus.interface.js';
import { messageBytes } from '../bus/core/message-size.js';
import { VrpcMessages } from '../errors/vrpc.messages.js';
import { isFinalPublishError, isTooLargeError } from '../errors/vrpc-publish.error.js';
import { encodeResponse, type RequestEnvelope, type ResponseEnvelope } from '../protocol/envelope.js';
import { DEFAULT_PUBLISH_RETRY_MS } from '../protocol/vrpc.constants.js';
import { DEFAULT_HEADER_SET, replyLabels, type VrpcHeaderSet } from '../protocol/wire-headers.js';
import { logText } from '../utils/log-text.js';
import { RatedLog } from '../utils/rated-log.js';
import { retryUntil } from '../utils/retry.js';
import { deadLetterCopy, truncatedCopy } from './dead-letter-copy.js';
import { AnyReplyAddress, type ReplyAddressCheck } from './reply-addresses.js';
import { errorReply } from './reply.factory.js';
import type { Count } from '../telemetry/metric-instruments.js';
import { ATTR } from '../telemetry/semconv.js';
import { callLabel } from './call-log.js';

/** Why a message was dead-lettered: the `vrpc.reason` of `vrpc.server.dead_letters` (fixed words, never message text). */
export type DeadLetterReason = 'unreadable' | 'undecodable' | 'stream-frame' | 'no-reply-address' | 'limit' | 'poison';

/** How a `ReplySender` retries. */
export interface ReplySenderOptions {
  /** Longest a retriable publish failure is retried, in ms (default 5 000); final ones are not. */
  publishRetryMs?: number;
  /** The reply topics it may write to (default: any but the dead-letter topic; servers pass `ReplyAddresses`). */
  addresses?: ReplyAddressCheck;
  /** Signs every reply before it is sent (`security`); without it replies go unsigned. */
  sign?: (envelope: RequestEnvelope, reply: ResponseEnvelope) => ResponseEnvelope;
  /** Counts each dead letter, by source topic and reason (`vrpc.server.dead_letters`). */
  deadLetters?: Count;
  /** The trace id of the active span, for the log lines about one call. */
  traceId?: () => string | undefined;
  /** The headers beside each reply's envelope (default `minimal`). */
  headers?: VrpcHeaderSet;
}

/**
 * Publishes what the dispatcher sends out: replies to callers and dead letters. A retriable
 * failure is retried for `publishRetryMs` at most, never for the request's own deadline (the
 * sender chooses that); a final one (a missing reply topic, a message too large) is not
 * retried, and the request is done with and committed past. Only a retriable failure that
 * outlasts the bound (a broker outage) rejects, leaving the message unacknowledged, to be read
 * again rather than lost; a reply whose call has expired by then is dropped instead.
 */
export class ReplySender {
  private readonly rated: RatedLog;
  /** Dead letters, one warning per kind per interval: garbage can come in floods. */
  private readonly deadLettered: RatedLog;
  /** Refused reply addresses, one warning per reason per interval: an attacker can send many. */
  private readonly refused: RatedLog;
  private readonly retryMs: number;
  private readonly addresses: ReplyAddressCheck;
  private readonly givenUp = new Map<string, number>();
  private readonly sign: ReplySenderOptions['sign'];
  private readonly deadLetters: Count | undefined;
  private readonly traceId: () => string | undefined;
  private readonly headers: VrpcHeaderSet;

  constructor(
    private readonly bus: VrpcBus,
    private readonly deadLetterTopic: string,
    private readonly logger: Logger,
    options: ReplySenderOptions = {},
  ) {
    this.rated = new RatedLog((line) => this.logger.error(line));
    this.deadLettered = new RatedLog((line) => this.logger.warn(line));
    this.refused = new RatedLog((line) => this.logger.warn(line));
    this.retryMs = options.publishRetryMs ?? DEFAULT_PUBLISH_RETRY_MS;
    this.addresses = options.addresses ?? new AnyReplyAddress(deadLetterTopic);
    this.sign = options.sign;
    this.deadLetters = options.deadLetters;
    this.traceId = options.traceId ?? (() => undefined);
    this.headers = options.headers ?? DEFAULT_HEADER_SET;
  }

  /**
   * Replies and dead letters given up so far, by `reply:<reason>` and `dead-letter:<reason>`;
   * replies refused for their address count as `reply:request-topic`, `reply:dead-letter-topic`
   * and `reply:unlisted-topic`.
   */
  get dropped(): ReadonlyMap<string, number> {
    return this.givenUp;
  }

  /**
   * Publishes the reply (one-way calls get none). A reply over the bus's max message size is
   * replaced by a RESOURCE_EXHAUSTED error reply saying so. A final failure is logged and
   * counted, and the request done with; so is a retriable one once the call's deadline has
   * passed. A retriable failure past `publishRetryMs` while the caller still waits rejects: the
   * request stays unacknowledged and is run again after a rebalance or restart.
   */
  async reply(envelope: RequestEnvelope, reply: ResponseEnvelope): Promise<void> {
    if (envelope.oneWay || !envelope.replyTo || !this.mayReply(envelope)) return;
    const limit = this.bus.maxMessageBytes;
    let message = this.replyMessage(envelope, reply);
    const bytes = messageBytes(message);
    if (limit !== undefined && bytes > limit) {
      message = this.replyMessage(
        envelope,
        errorReply(envelope, { code: status.RESOURCE_EXHAUSTED, message: VrpcMessages.replyTooLarge(bytes, limit) }),
      );
    }
    const bound = Date.now() + this.retryMs;
    // No retry past the call's deadline: its caller has given up by then.
    const expires = envelope.deadline > 0 && envelope.deadline <= bound;
    try {
      await this.publish(message, expires ? envelope.deadline : bound);
    } catch (error: unknown) {
      // Retriable, and the caller still waits: left unacknowledged, to be run again and answered.
      if (!isFinalPublishError(error) && !expires) throw error;
      if (!isTooLargeError(error) || reply.statusCode === Number(status.RESOURCE_EXHAUSTED)) return this.dropReply(envelope, error);
      // The broker's limit is below the one the bus states: the caller still learns why.
      const refused = errorReply(envelope, {
        code: status.RESOURCE_EXHAUSTED,
        message: VrpcMessages.replyRefusedAsTooLarge(error.message),
      });
      await this.publish(this.replyMessage(envelope, refused)).catch((again: unknown) => this.dropReply(envelope, again));
    }
  }

  /**
   * Whether replies to this request may go where it asks; if not, the refusal is counted and
   * logged (rated), naming the address and where the request came from, and nothing is
   * published: the request is to be done with (committed past) without running.
   */
  mayReply(envelope: RequestEnvelope, source?: IncomingMessage): boolean {
    const refusal = this.addresses.refusal(envelope.replyTo);
    if (refusal === undefined) return true;
    const kind = `reply:${refusal}`;
    this.count(kind);
    const to = `${logText(envelope.replyTo)}[${envelope.replyPartition ?? 'key'}]`;
    const from = source ? ` (from ${logText(source.topic)}[${source.partition}]@${source.offset})` : '';
    this.refused.note(
      kind,
      `refused to reply to ${logText(envelope.requestId)} of client ${logText(envelope.clientId)}${from} at ${to}: ${refusal}`,
    );
    return false;
  }

  /**
   * Publishes the message as it came to the dead-letter topic, with the reason in a header; a
   * copy too large for the broker is replaced by a truncated one (`vrpc-dead-truncated`,
   * `vrpc-dead-original-bytes`). A final failure is logged and counted, and the message is done
   * with; a retriable one past `publishRetryMs` rejects (the message is redelivered). Counted
   * once per message set aside, by `kind`.
   */
  async deadLetter(message: IncomingMessage, reason: string, kind: DeadLetterReason): Promise<void> {
    const source = `${message.topic}[${message.partition}]@${message.offset}`;
    this.deadLetters?.add(1, { [ATTR.destination]: message.topic, [ATTR.reason]: kind });
    this.deadLettered.note(reason.split(':')[0], `dead-lettered ${logText(source)}: ${logText(reason, 300)}`);
    const copy = deadLetterCopy(message, this.deadLetterTopic, reason, source);
    const limit = this.bus.maxMessageBytes;
    const bytes = messageBytes(copy);
    let outgoing = copy;
    if (limit !== undefined && bytes > limit) outgoing = truncatedCopy(copy, `too-large: ${bytes} bytes over the limit of ${limit}`, limit);
    try {
      await this.publish(outgoing);
    } catch (error: unknown) {
      if (!isFinalPublishError(error)) throw error;
      if (!isTooLargeError(error) || outgoing !== copy) return this.dropDeadLetter(source, error);
      await this.publish(truncatedCopy(copy, `too-large: ${error.message}`)).catch((again: unknown) => {
        if (!isFinalPublishError(again)) throw again;
        this.dropDeadLetter(source, again);
      });
    }
  }

  /** Writes what is counted and not yet logged. */
  close(): void {
    this.rated.close();
    this.deadLettered.close();
    this.refused.close();
  }

  /** Publishes, retrying retriable failures until `until` (default: `publishRetryMs` from now). */
  private publish(message: OutgoingMessage, until = Date.now() + this.retryMs): Promise<void> {
    return retryUntil(until, () => this.bus.publish([message]), isFinalPublishError);
  }

  private replyMessage(envelope: RequestEnvelope, reply: ResponseEnvelope): OutgoingMessage {
    return replyMessage(envelope, this.sign ? this.sign(envelope, reply) : reply, this.headers);
  }

  private dropReply(envelope: RequestEnvelope, error: unknown): void {
    const kind = `reply:${publishReason(error)}`;
    this.count(kind);
    const to = `${logText(envelope.replyTo)}[${envelope.replyPartition ?? 'key'}]`;
    const call = callLabel(envelope, this.traceId());
    this.rated.note(kind, `reply to ${call} not published to ${to}, given up: ${logText(String(error), 300)}`);
  }

  private dropDeadLetter(source: string, error: unknown): void {
    const kind = `dead-letter:${publishReason(error)}`;
    this.count(kind);
    this.rated.note(kind, `dead letter of ${logText(source)} not published, given up (committed past): ${logText(String(error), 300)}`);
  }

  private count(kind: string): void {
    this.givenUp.set(kind, (this.givenUp.get(kind) ?? 0) + 1);
  }
}

/**
 * The bus message of a reply to `envelope`, at its reply address (its partition, or keyed by
 * the call id), with the key and headers of the header set (`wire-headers.ts`).
 */
export function replyMessage(
  envelope: RequestEnvelope,
  reply: ResponseEnvelope,
  headers: VrpcHeaderSet = DEFAULT_HEADER_SET,
): OutgoingMessage {
  return {
    topic: envelope.replyTo,
    partition: envelope.replyPartition,
    value: encodeResponse(reply),
    ...replyLabels(envelope, reply, headers),
  };
}

function publishReason(error: unknown): string {
  return isFinalPublishError(error) ? error.reason : 'retries-exhausted';
}
