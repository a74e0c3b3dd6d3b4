import type { ResponseEnvelope } from '../protocol/envelope.js';

/** Where a call's outcome goes: its successful reply (which ends the call), or its failure. */
export interface ReplySink {
  /** A reply with status OK, and the path that served it. */
  reply(reply: ResponseEnvelope, path: 'bus' | 'direct'): void;
  error(error: unknown): void;
}

/** A call waiting for its reply. */
export interface PendingCall {
  sink: ReplySink;
  timer: NodeJS.Timeout;
}

/** The calls waiting for replies, by correlation id; an entry leaves on reply, deadline or unsubscribe. */
export class PendingCalls {
  private readonly calls = new Map<string, PendingCall>();

  get size(): number {
    return this.calls.size;
  }

  add(id: string, call: PendingCall): void {
    this.calls.set(id, call);
  }

  has(id: string): boolean {
    return this.calls.has(id);
  }

  /** Removes and returns the call, if it is still waiting. */
  take(id: string): PendingCall | undefined {
    const call = this.calls.get(id);
    if (!call) return undefined;
    this.calls.delete(id);
    clearTimeout(call.timer);
    return call;
  }

  /** Removes every call and returns them. */
  takeAll(): PendingCall[] {
    const all = [...this.calls.keys()].map((id) => this.take(id));
    return all.filter((call): call is PendingCall => call !== undefined);
  }
}
