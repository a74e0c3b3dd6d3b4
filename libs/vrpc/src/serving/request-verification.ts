import { status } from '@grpc/grpc-js';
import type { Logger } from '@nestjs/common';
import type { IncomingMessage } from '../bus/bus.interface.js';
import { VrpcMessages } from '../errors/vrpc.messages.js';
import { EnvelopeSigner, type SignatureFailure } from '../protocol/envelope-signature.js';
import type { RequestEnvelope, ResponseEnvelope } from '../protocol/envelope.js';
import type { VrpcSecurityOptions } from '../protocol/security-options.interface.js';
import { logText } from '../utils/log-text.js';
import { RatedLog } from '../utils/rated-log.js';
import { errorReply } from './reply.factory.js';
import type { CallerIdentity } from './request-executor.interface.js';

/** What the verification needs of the dispatcher. */
export interface VerificationDeps {
  logger: Logger;
  /** The reply address of a request as the dispatcher would answer it (`ForeignRequests`), or none. */
  answerable: (envelope: RequestEnvelope) => RequestEnvelope | undefined;
  /** Publishes a reply (signed by `sign`). */
  reply: (envelope: RequestEnvelope, reply: ResponseEnvelope) => Promise<void>;
}

const REASONS: Record<SignatureFailure, string> = {
  unsigned: 'unsigned',
  'unknown-key': 'signed with a key that is not listed',
  'bad-signature': 'the signature does not match the envelope',
};

/**
 * The server's check of `security`: run on the envelope as decoded, before anything reads it
 * (limits, deadline, the duplicate memory, the handler), since none of its fields is to be
 * trusted until then (nor does a refused copy enter the duplicate memory, where it would stand
 * for the genuine request). A request that fails it is answered UNAUTHENTICATED (unsigned)
 * where it can be answered, or dropped; either way counted, logged once per interval, never run.
 */
export class RequestVerification {
  private readonly signer: EnvelopeSigner | undefined;
  private readonly rated: RatedLog;
  private readonly refused = new Map<SignatureFailure, number>();
  /** The UNAUTHENTICATED replies, which go out unsigned. */
  private readonly refusals = new WeakSet<ResponseEnvelope>();

  constructor(
    security: VrpcSecurityOptions | undefined,
    private readonly deps: VerificationDeps,
  ) {
    this.signer = security ? new EnvelopeSigner(security) : undefined;
    this.rated = new RatedLog((line) => deps.logger.warn(line));
  }

  /** Requests refused so far, by reason. */
  get counts(): ReadonlyMap<SignatureFailure, number> {
    return this.refused;
  }

  /** The verified caller, or undefined when the request was refused (and answered or dropped). */
  /** Whether requests are checked at all (`security` given): without it `verify` need not be awaited. */
  get active(): boolean {
    return this.signer !== undefined;
  }

  async verify(envelope: RequestEnvelope, message: IncomingMessage): Promise<CallerIdentity | undefined> {
    if (!this.signer) return {};
    const verdict = this.signer.verifyRequest(envelope);
    if (verdict.ok) return verdict.keyId === undefined ? {} : { keyId: verdict.keyId };
    this.refused.set(verdict.reason, (this.refused.get(verdict.reason) ?? 0) + 1);
    const reason = REASONS[verdict.reason];
    const target = this.deps.answerable(envelope);
    const from = `${logText(message.topic)}[${message.partition}]@${message.offset}`;
    const call = `${logText(envelope.serviceName)}/${logText(envelope.methodName)} ${logText(envelope.requestId)}`;
    const key = envelope.keyId === undefined ? '' : ` (key id ${logText(envelope.keyId)})`;
    const outcome = target ? `answered UNAUTHENTICATED at ${logText(target.replyTo)}` : 'dropped';
    this.rated.note(`unauthenticated:${verdict.reason}`, `refused ${call} from ${from}${key}: ${reason}; ${outcome}`);
    if (!target) return undefined;
    const refusal = errorReply(target, { code: status.UNAUTHENTICATED, message: VrpcMessages.unauthenticated(reason) });
    this.refusals.add(refusal);
    await this.deps.reply(target, refusal);
    return undefined;
  }

  /**
   * The reply, signed when signing is on (with the key its request was verified with, where
   * listed). An UNAUTHENTICATED refusal is not: the server vouches for nothing it did not verify,
   * so a tampered copy of a pending call cannot end that call with a signed refusal (a signing
   * client ignores it and waits for the genuine reply; a client without keys reads it).
   */
  sign(envelope: RequestEnvelope, reply: ResponseEnvelope): ResponseEnvelope {
    if (!this.signer || this.refusals.has(reply)) return reply;
    return this.signer.signReply(envelope.serviceName, reply, envelope.keyId);
  }

  close(): void {
    this.rated.close();
  }
}
