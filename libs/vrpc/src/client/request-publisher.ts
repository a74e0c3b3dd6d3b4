import { status } from '@grpc/grpc-js';
import type { BusInbox, OutgoingMessage, VrpcBus } from '../bus/bus.interface.js';
import { messageBytes } from '../bus/core/message-size.js';
import { VrpcCallError } from '../errors/vrpc-call.error.js';
import { isFinalPublishError } from '../errors/vrpc-publish.error.js';
import { VrpcMessages } from '../errors/vrpc.messages.js';
import { retryUntil } from '../utils/retry.js';
import type { CallRegistry } from './call-registry.js';
import type { ClientTelemetry } from './client-telemetry.js';
import type { EnvelopeSigner } from '../protocol/envelope-signature.js';
import type { ReplyInbox } from './reply-inbox.js';
import { requestEnvelope, requestMessage, type RequestParts } from './request-message.js';
import type { RequestTopics } from './request-topics.js';
import { DEFAULT_HEADER_SET, type VrpcHeaderSet } from '../protocol/wire-headers.js';

/** Puts requests on the bus: a call with this client's inbox as its reply address, a one-way call without. */
export class RequestPublisher {
  constructor(
    private readonly bus: Pick<VrpcBus, 'connect' | 'publish' | 'maxMessageBytes'>,
    private readonly inbox: Pick<ReplyInbox, 'current' | 'get'>,
    private readonly topics: RequestTopics,
    private readonly calls: Pick<CallRegistry, 'has'>,
    /** Signs every request (`security`). */
    private readonly signer?: EnvelopeSigner,
    /** Counts the retried attempts. */
    private readonly telemetry?: ClientTelemetry,
    /** The headers beside the envelope (`client.headers`). */
    private readonly headers: VrpcHeaderSet = DEFAULT_HEADER_SET,
  ) {}

  /**
   * Publishes a request, retrying until `until`: a bus outage shorter than that delays the call
   * only. A request over the bus's max message size, or a final publish error, fails at once.
   */
  publish(parts: RequestParts, until: number): Promise<void> {
    const telemetry = this.telemetry;
    if (!telemetry?.enabled) return retryUntil(until, () => this.tryPublish(parts), isFinal);
    let attempts = 0;
    return retryUntil(
      until,
      () => {
        if (attempts++ > 0) telemetry.retried(parts.serviceName, parts.method);
        return this.tryPublish(parts);
      },
      isFinal,
    );
  }

  /** One attempt; once the inbox is open and the topic exists, without waiting for either. */
  private tryPublish(parts: RequestParts): Promise<void> {
    const inbox = this.inbox.current();
    const topic = this.topics.ready(parts.serviceName);
    if (!inbox || topic === undefined || parts.oneWay) return this.publishWhenReady(parts);
    // Forgotten (unsubscribed, or past its deadline) while a previous attempt failed: nothing to send.
    if (!this.calls.has(parts.id)) return Promise.resolve();
    return this.send(requestMessage(requestEnvelope(parts, inbox), topic, this.signer, parts.trace, this.headers));
  }

  private async publishWhenReady(parts: RequestParts): Promise<void> {
    let inbox: BusInbox | undefined;
    if (parts.oneWay) {
      await this.bus.connect();
    } else {
      inbox = await this.inbox.get();
      if (!this.calls.has(parts.id)) return;
    }
    await this.topics.ensure(parts.serviceName);
    await this.send(
      requestMessage(requestEnvelope(parts, inbox), this.topics.name(parts.serviceName), this.signer, parts.trace, this.headers),
    );
  }

  /** Publishes one request, refusing it (RESOURCE_EXHAUSTED, nothing sent) when it is over the bus's limit. */
  private send(message: OutgoingMessage): Promise<void> {
    const limit = this.bus.maxMessageBytes;
    const bytes = limit === undefined ? 0 : messageBytes(message);
    if (limit !== undefined && bytes > limit) {
      return Promise.reject(new VrpcCallError(status.RESOURCE_EXHAUSTED, VrpcMessages.requestTooLarge(bytes, limit)));
    }
    return this.bus.publish([message]);
  }
}

/** Errors that fail the same way on every attempt. */
function isFinal(error: unknown): boolean {
  return error instanceof VrpcCallError || isFinalPublishError(error);
}
