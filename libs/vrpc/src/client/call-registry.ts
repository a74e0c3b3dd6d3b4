import { status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { VrpcCallError } from '../errors/vrpc-call.error.js';
import { MetadataMessages, VrpcMessages } from '../errors/vrpc.messages.js';
import type { ResponseEnvelope } from '../protocol/envelope.js';
import { logText } from '../utils/log-text.js';
import { CallIds } from './call-ids.js';
import { replyMetadata, type ReplyPath } from './reply-metadata.js';

/** Where a call's outcome goes: its successful reply (which ends the call), or its failure. */
export interface ReplySink {
  /** A reply with status OK, and the path that served it. */
  reply(reply: ResponseEnvelope, path: ReplyPath): void;
  error(error: unknown): void;
}

/** A call waiting for its reply. */
interface PendingCall {
  sink: ReplySink;
  timer: NodeJS.Timeout;
  /** The service called, whose keys check the reply (`security.services`). */
  service?: string;
}

/**
 * The calls waiting for replies, by correlation id. A call leaves on its reply, its deadline,
 * a failure, or unsubscribe, whichever comes first; the others then find nothing to do.
 */
export class CallRegistry {
  private readonly logger = new Logger('VrpcClient');
  private readonly calls = new Map<string, PendingCall>();
  private readonly ids = new CallIds();

  /** Calls waiting for a reply. */
  get size(): number {
    return this.calls.size;
  }

  /** A fresh correlation id: 128 random bits, unrelated to the client's instance id or earlier ids. */
  nextId(): string {
    return this.ids.next();
  }

  /** Registers a call (to `service`); at `deadline` (ms since the epoch) it fails with DEADLINE_EXCEEDED. */
  add(id: string, sink: ReplySink, deadline: number, now: number, service?: string): void {
    const timer = setTimeout(
      () => {
        this.fail(id, new VrpcCallError(status.DEADLINE_EXCEEDED, VrpcMessages.deadlineExceeded(deadline - now)));
      },
      Math.max(0, deadline - now),
    );
    this.calls.set(id, { sink, timer, service });
  }

  /** Whether the call still waits. */
  has(id: string): boolean {
    return this.calls.has(id);
  }

  /** The service call `id` waits on, if it waits and was registered with one. */
  serviceOf(id: string): string | undefined {
    return this.calls.get(id)?.service;
  }

  /** Forgets the call (unsubscribed): its outcome goes nowhere. */
  forget(id: string): void {
    this.take(id);
  }

  /** Fails the call, if it still waits. */
  fail(id: string, error: unknown): void {
    const call = this.take(id);
    if (call) this.end(call, error);
  }

  /** Fails every waiting call, e.g. when the client closes. */
  failAll(error: () => unknown): void {
    for (const id of [...this.calls.keys()]) this.fail(id, error());
  }

  /** Delivers a reply to the call waiting for it, if it still waits; a status other than OK fails it. */
  settle(reply: ResponseEnvelope, path: ReplyPath): void {
    const call = this.take(reply.requestId);
    if (!call) return;
    try {
      if (reply.statusCode !== (status.OK as number)) {
        call.sink.error(new VrpcCallError(reply.statusCode, reply.errorMessage, replyMetadata(reply, path)));
        return;
      }
      call.sink.reply(reply, path);
    } catch (error: unknown) {
      // The call has left the registry and its timer is cleared: nothing else would end it.
      this.end(
        call,
        new VrpcCallError(status.INTERNAL, MetadataMessages.unreadableReply(error instanceof Error ? error.message : String(error))),
      );
    }
  }

  /** Fails a call that has left the registry; a sink that throws cannot stop the caller's work. */
  private end(call: PendingCall, error: unknown): void {
    try {
      call.sink.error(error);
    } catch (thrown: unknown) {
      this.logger.error(`a call's error handler threw: ${logText(String(thrown))}`);
    }
  }

  private take(id: string): PendingCall | undefined {
    const call = this.calls.get(id);
    if (!call) return undefined;
    this.calls.delete(id);
    clearTimeout(call.timer);
    return call;
  }
}
