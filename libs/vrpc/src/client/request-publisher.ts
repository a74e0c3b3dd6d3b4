import type { BusInbox, VrpcBus } from '../bus/bus.interface.js';
import { retryUntil } from '../utils/retry.js';
import type { CallRegistry } from './call-registry.js';
import type { ReplyInbox } from './reply-inbox.js';
import { requestEnvelope, requestMessage, type RequestParts } from './request-message.js';
import type { RequestTopics } from './request-topics.js';

/** Puts requests on the bus: a call with this client's inbox as its reply address, a one-way call without. */
export class RequestPublisher {
  constructor(
    private readonly bus: Pick<VrpcBus, 'connect' | 'publish'>,
    private readonly inbox: Pick<ReplyInbox, 'current' | 'get'>,
    private readonly topics: RequestTopics,
    private readonly calls: Pick<CallRegistry, 'has'>,
  ) {}

  /** Publishes a request, retrying until `until`: a bus outage shorter than that delays the call only. */
  publish(parts: RequestParts, until: number): Promise<void> {
    return retryUntil(until, () => this.tryPublish(parts));
  }

  /** One attempt; once the inbox is open and the topic exists, without waiting for either. */
  private tryPublish(parts: RequestParts): Promise<void> {
    const inbox = this.inbox.current();
    const topic = this.topics.ready(parts.serviceName);
    if (!inbox || topic === undefined || parts.oneWay) return this.publishWhenReady(parts);
    // Forgotten (unsubscribed, or past its deadline) while a previous attempt failed: nothing to send.
    if (!this.calls.has(parts.id)) return Promise.resolve();
    return this.bus.publish([requestMessage(requestEnvelope(parts, inbox), topic)]);
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
    await this.bus.publish([requestMessage(requestEnvelope(parts, inbox), this.topics.name(parts.serviceName))]);
  }
}
