import { status } from '@grpc/grpc-js';
import type { InboxAddress } from '../bus/bus.interface.js';
import { StreamMessages } from '../errors/vrpc.messages.js';
import type { ResponseEnvelope } from '../protocol/envelope.js';
import { logText } from '../utils/log-text.js';
import type { RequestParts } from './request-message.js';
import type { StreamCall, StreamCalls } from './stream-call.js';

/** Cancelled calls remembered until their acceptance (or their deadline), at most this many. */
export const MAX_CANCELLED_STREAMS = 10_000;

/** A call cancelled before the server accepted it: its acceptance is answered with a cancel. */
interface CancelledCall {
  parts: RequestParts;
}

/** What answers the acceptance of a cancelled call. */
export type CancelAnswer = (parts: RequestParts, target: InboxAddress) => void;

/**
 * A client's live streams by call id, and the calls it cancelled before their acceptance
 * (bounded, each forgotten at its deadline). The reply inbox hands it every stream reply.
 */
export class StreamRegistry implements StreamCalls {
  private readonly live = new Map<string, StreamCall>();
  private readonly cancelled = new Map<string, CancelledCall>();

  /**
   * @param inboxTopic the one topic servers' stream inboxes are on (`topics.streams`): an
   * acceptance that names another is not followed, so a forged one cannot send frames elsewhere
   */
  constructor(
    private readonly inboxTopic: string,
    private readonly answerCancel: CancelAnswer,
    private readonly maxCancelled = MAX_CANCELLED_STREAMS,
  ) {}

  /** Live streams. */
  get size(): number {
    return this.live.size;
  }

  /** Whether call `id` is a live stream (its opening may still be published). */
  isLive(id: string): boolean {
    return this.live.has(id);
  }

  /** Whether replies to `id` are this registry's: a live stream, or one cancelled before its acceptance. */
  has(id: string): boolean {
    return this.live.has(id) || this.cancelled.has(id);
  }

  /** The service of call `id`, whose keys check its replies. */
  serviceOf(id: string): string | undefined {
    return this.live.get(id)?.service ?? this.cancelled.get(id)?.parts.serviceName;
  }

  add(call: StreamCall): void {
    this.live.set(call.id, call);
  }

  remove(call: StreamCall, cancelledEarly: boolean): void {
    this.live.delete(call.id);
    if (!cancelledEarly) return;
    const parts = call.requestParts;
    this.purge(Date.now());
    if (this.cancelled.size >= this.maxCancelled) this.cancelled.delete(this.cancelled.keys().next().value as string);
    this.cancelled.set(call.id, { parts });
  }

  /** Hands a reply to its stream; returns false for a reply no stream here waits for (a stray). */
  receive(reply: ResponseEnvelope): boolean {
    const id = reply.requestId;
    const frame = reply.stream;
    const foreign = frame?.open === true && !frame.end && frame.inboxTopic !== this.inboxTopic;
    const call = this.live.get(id);
    if (call) {
      if (foreign) call.finish(status.INTERNAL, StreamMessages.foreignInbox(logText(frame.inboxTopic), this.inboxTopic), false);
      else call.receive(reply);
      return true;
    }
    const gone = this.cancelled.get(id);
    if (!gone) return false;
    if (foreign) {
      this.cancelled.delete(id);
    } else if (frame?.open && frame.inboxTopic) {
      this.cancelled.delete(id);
      if (gone.parts.deadline > Date.now()) this.answerCancel(gone.parts, { topic: frame.inboxTopic, partition: frame.inboxPartition });
    } else if (!frame || frame.end) {
      // Refused or ended: nothing runs on the server.
      this.cancelled.delete(id);
    }
    return true;
  }

  /** Fails a live stream whose reply could not be read. */
  fail(id: string, code: status, details: string): void {
    this.live.get(id)?.finish(code, details, true);
  }

  /** Fails every live stream (and cancels it), e.g. when the client closes. */
  failAll(code: status, details: string): void {
    for (const call of [...this.live.values()]) call.finish(code, details, true);
    this.cancelled.clear();
  }

  /** Forgets cancelled calls past their deadline (the oldest first, as they were added). */
  private purge(now: number): void {
    for (const [id, { parts }] of this.cancelled) {
      if (parts.deadline > now) return;
      this.cancelled.delete(id);
    }
  }
}
