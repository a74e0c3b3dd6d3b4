import { Logger } from '@nestjs/common';
import type { IncomingMessage, VrpcBus } from '../bus/bus.interface.js';
import { status } from '@grpc/grpc-js';
import { decodeRequest, type RequestEnvelope, type ResponseEnvelope } from '../protocol/envelope.js';
import { DEFAULT_MAX_DELIVERIES } from '../protocol/vrpc.constants.js';
import { StreamMessages, VrpcMessages } from '../errors/vrpc.messages.js';
import { ForeignRequests } from './foreign-requests.js';
import { logText } from '../utils/log-text.js';
import { RatedLog } from '../utils/rated-log.js';
import type { VrpcRequestLimits } from './serving-options.interface.js';
import { RecentRequests } from './recent-requests.js';
import { requestDigest } from './request-digest.js';
import { exceededLimit, requestLimits } from './request-limits.js';
import { errorReply } from './reply.factory.js';
import type { ReplyAddressCheck } from './reply-addresses.js';
import { ReplySender, type ReplySenderOptions } from './reply-sender.js';
import type { CallerIdentity, RequestExecutor } from './request-executor.interface.js';
import { RequestVerification } from './request-verification.js';
import type { VrpcSecurityOptions } from '../protocol/security-options.interface.js';
import type { CallObservation } from '../telemetry/call-observation.js';
import { VrpcTelemetry } from '../telemetry/vrpc-telemetry.js';
import { otelApi } from '../telemetry/otel-api.js';
import { callLabel } from './call-log.js';
import { MethodLabels, methodAttributes, servedCallInfo } from './served-call.js';

/** The caller of a request that carries no verified identity. */
const UNVERIFIED: CallerIdentity = Object.freeze({});

/** What the dispatcher needs. */
export interface DispatcherDeps {
  bus: VrpcBus;
  execute: RequestExecutor;
  deadLetterTopic: string;
  /** Where requests without `reply_to` (the original vRPC's shape) are answered; without it, nowhere. */
  replyTopic?: string;
  /** Deliveries after which a request that never finished is dead-lettered (default 5). */
  maxDeliveries?: number;
  /** Longest a retriable failure to publish a reply or dead letter is retried, in ms (default 5 000). */
  publishRetryMs?: number;
  /** Logger context (default `VrpcServer`). */
  name?: string;
  /** Limits on the fields of a request (defaults: `DEFAULT_REQUEST_LIMITS`). */
  limits?: VrpcRequestLimits;
  /** The reply topics replies may go to (default: any but the dead-letter topic; servers pass `ReplyAddresses`). */
  replyAddresses?: ReplyAddressCheck;
  /** Signed envelopes: requests are verified before anything else, replies signed. */
  security?: VrpcSecurityOptions;
  /**
   * Accepts streaming openings (`stream.open`): resolves once the acceptance is published, or
   * with the reply that refuses the call. Without it an opening is answered UNIMPLEMENTED.
   */
  openStream?: StreamOpener;
  /** Spans and metrics of the requests served (default: one of its own for `bus.system`). */
  telemetry?: VrpcTelemetry;
  /** The consumer group of each request topic (`messaging.consumer.group.name` of its spans). */
  groups?: ReadonlyMap<string, string>;
  /** The services served: only their methods are metric labels (others: `_OTHER`). Default: any. */
  services?: ReadonlySet<string>;
  /** The headers beside each reply's envelope (default `minimal`). */
  headers?: ReplySenderOptions['headers'];
}

/**
 * Accepts one streaming opening; resolves with nothing once it is accepted, or with a refusal.
 * It owns `observation` (the stream's SERVER span): an accepted stream ends it with its status.
 */
export type StreamOpener = (
  envelope: RequestEnvelope,
  message: IncomingMessage,
  caller: CallerIdentity,
  observation?: CallObservation,
) => Promise<ResponseEnvelope | undefined>;

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
  private readonly foreign: ForeignRequests;
  private readonly limits: ReturnType<typeof requestLimits>;
  /** Events that one message each can cause, so that a flood of them cannot flood the log. */
  private readonly warnings: RatedLog;
  private readonly notes: RatedLog;
  private readonly verification: RequestVerification;
  readonly telemetry: VrpcTelemetry;
  private readonly traced = otelApi() !== undefined;
  private readonly methods: MethodLabels;

  constructor(private readonly deps: DispatcherDeps) {
    this.logger = new Logger(deps.name ?? 'VrpcServer');
    this.telemetry = deps.telemetry ?? new VrpcTelemetry(deps.bus.system ?? 'vrpc-bus');
    this.methods = new MethodLabels(deps.services);
    this.foreign = new ForeignRequests(deps.replyTopic, this.logger);
    this.verification = new RequestVerification(deps.security, {
      logger: this.logger,
      answerable: (envelope) => this.answerable(envelope),
      reply: (envelope, reply) => this.sender.reply(envelope, reply),
    });
    const sign = deps.security ? this.verification.sign.bind(this.verification) : undefined;
    this.sender = new ReplySender(deps.bus, deps.deadLetterTopic, this.logger, {
      publishRetryMs: deps.publishRetryMs,
      addresses: deps.replyAddresses,
      sign,
      deadLetters: this.telemetry.metrics.deadLetters,
      traceId: () => this.telemetry.activeTraceId(),
      headers: deps.headers,
    });
    this.limits = requestLimits(deps.limits);
    this.warnings = new RatedLog((line) => this.logger.warn(line));
    this.notes = new RatedLog((line) => this.logger.debug(line));
  }

  /** Writes what the rated logs counted and have not written yet. */
  close(): void {
    this.warnings.close();
    this.notes.close();
    this.sender.close();
    this.foreign.close();
    this.verification.close();
  }

  async dispatch(message: IncomingMessage): Promise<void> {
    if (message.unreadable) {
      await this.sender.deadLetter(message, message.unreadable, 'unreadable');
      return;
    }
    let envelope: RequestEnvelope;
    try {
      envelope = decodeRequest(message.value);
    } catch (error: unknown) {
      await this.sender.deadLetter(message, `unreadable envelope: ${String(error)}`, 'undecodable');
      return;
    }
    // Checked as it arrived: the signature covers the fields the sender wrote, not those filled in here.
    // Without signing there is nothing to wait for: no promise on every request's path.
    const caller = this.verification.active ? await this.verification.verify(envelope, message) : UNVERIFIED;
    if (!caller) return;
    // A later frame of a stream belongs in a server's stream inbox, never on a request topic.
    if (envelope.stream && !envelope.stream.open) {
      await this.sender.deadLetter(message, 'stream-frame: a stream frame that is not an opening, on a request topic', 'stream-frame');
      return;
    }
    envelope = this.foreign.complete(envelope);
    const exceeded = exceededLimit(envelope, this.limits);
    if (exceeded) {
      const reason = VrpcMessages.overLimit(exceeded.field, exceeded.limit, exceeded.unit);
      // A reply needs an id its caller knows and a usable address; without them it is set aside.
      if (exceeded.field === 'request_id' || exceeded.field === 'reply_to' || envelope.oneWay || !envelope.replyTo) {
        await this.sender.deadLetter(message, reason, 'limit');
        return;
      }
      this.warnings.note(
        'limit',
        `refused ${callLabel(envelope)} from ${logText(message.topic)}[${message.partition}]@${message.offset}: ${reason}`,
      );
      await this.sender.reply(envelope, errorReply(envelope, { code: status.INVALID_ARGUMENT, message: reason }));
      return;
    }
    const deliveries = message.deliveryCount ?? 1;
    if (deliveries > (this.deps.maxDeliveries ?? DEFAULT_MAX_DELIVERIES)) {
      const reason = `poison: delivered ${deliveries} times without finishing`;
      await this.sender.deadLetter(message, reason, 'poison');
      await this.sender.reply(envelope, errorReply(envelope, { code: status.ABORTED, message: VrpcMessages.setAside(reason) }));
      return;
    }
    if (envelope.deadline > 0 && envelope.deadline <= Date.now()) {
      // Not run, so not a span: counted, so that a backlog that outlives its callers shows.
      this.telemetry.metrics.expired.add(1, methodAttributes(this.methods.label(envelope), this.telemetry.system));
      this.notes.note('expired', `skipped ${callLabel(envelope)}: deadline passed`);
      return;
    }
    // Its reply could go nowhere it may: not run, and committed past.
    if (!envelope.oneWay && envelope.replyTo && !this.sender.mayReply(envelope, message)) return;
    const outcome = envelope.stream
      ? await this.recent.once(envelope.requestId, requestDigest(envelope), () => this.openStream(envelope, message, caller))
      : await this.recent.once(envelope.requestId, requestDigest(envelope), () => this.serve(envelope, message, caller));
    if (outcome === 'copy') {
      this.telemetry.metrics.duplicates.add(1, methodAttributes(this.methods.label(envelope), this.telemetry.system));
      this.notes.note('copy', `skipped a second copy of ${logText(envelope.requestId)}`);
    }
    // Not a copy: a client that reuses ids, or a request written first to pre-empt another.
    if (outcome === 'other-content') {
      this.warnings.note(
        'other-content',
        `ran ${callLabel(envelope)} from ${logText(message.topic)}[${message.partition}]@${message.offset}, an id that ran here with other content`,
      );
    }
  }

  /** Runs one request under its SERVER span (the executor's own spans are its children) and publishes its reply. */
  private async serve(envelope: RequestEnvelope, message: IncomingMessage, caller: CallerIdentity): Promise<void> {
    // Without `@opentelemetry/api`, nothing is built per call.
    if (!this.traced) return this.sender.reply(envelope, await this.deps.execute(envelope, message, caller));
    const observation = this.observe(envelope, message);
    let reply: ResponseEnvelope | undefined;
    try {
      reply = await observation.run(() => this.deps.execute(envelope, message, caller));
      const settled = reply;
      await observation.run(() => this.sender.reply(envelope, settled));
    } finally {
      // A run that threw still ends: its span, and its count among the calls in flight.
      observation.end(reply?.statusCode ?? status.INTERNAL, reply?.errorMessage ?? 'the request did not finish');
    }
  }

  /** The SERVER span and metrics of a request about to run: a child of the span its caller propagated. */
  private observe(envelope: RequestEnvelope, message: IncomingMessage): CallObservation {
    return this.telemetry.serverCall(servedCallInfo(envelope, message, this.deps.groups?.get(message.topic), this.methods.label(envelope)));
  }

  /** A streaming opening: accepted by the sessions (acknowledged once the acceptance is out), or refused with a plain reply. */
  private async openStream(envelope: RequestEnvelope, message: IncomingMessage, caller: CallerIdentity): Promise<void> {
    const { openStream } = this.deps;
    if (envelope.oneWay || !envelope.replyTo) {
      await this.sender.deadLetter(message, 'stream-frame: a stream opening without a reply address', 'no-reply-address');
      return;
    }
    const observation = this.observe(envelope, message);
    let refusal: ResponseEnvelope | undefined;
    try {
      refusal = openStream
        ? await observation.run(() => openStream(envelope, message, caller, observation))
        : errorReply(envelope, {
            code: status.UNIMPLEMENTED,
            message: StreamMessages.unsupported(envelope.serviceName, envelope.methodName),
          });
    } catch (error: unknown) {
      observation.end(status.INTERNAL, 'the stream did not open');
      throw error;
    }
    if (!refusal) return;
    // `end` is idempotent: a refusal the opener already recorded keeps its own outcome.
    observation.end(refusal.statusCode, refusal.errorMessage);
    await this.sender.reply(envelope, refusal);
  }

  /** The request as it would be answered, or undefined when it cannot be (one-way, no address, an id or address over its limit). */
  private answerable(raw: RequestEnvelope): RequestEnvelope | undefined {
    const envelope = this.foreign.complete(raw);
    const field = exceededLimit(envelope, this.limits)?.field;
    if (envelope.oneWay || !envelope.replyTo || field === 'request_id' || field === 'reply_to') return undefined;
    return this.sender.mayReply(envelope) ? envelope : undefined;
  }
}
