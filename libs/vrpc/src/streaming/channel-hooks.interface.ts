import type { status } from '@grpc/grpc-js';
import type { StreamFrame } from '../protocol/envelope.js';

/** One frame for the side to put on the bus, in the order the channel hands them out. */
export interface OutgoingFrame<End> {
  frame: StreamFrame;
  /** The message, when `frame.hasMessage`. */
  payload?: Buffer;
  /** What rides on an end frame (the server's status; nothing for a caller's half-close). */
  end?: End;
}

/** Why a channel stopped on its own: a gRPC status code and a reason. */
export interface ChannelFailure {
  code: status;
  reason: string;
}

/** What a channel tells its side. `In` is what arrives with a frame (its envelope). */
export interface ChannelHooks<In, End> {
  /** Puts a frame on the bus. Frames are handed out in order; the other side reorders what the bus reorders. */
  send(out: OutgoingFrame<End>): void;
  /** The next message from the other side, in order, each once. */
  message(item: In): void;
  /** The other side's end, after all its messages: `item` is the end frame's envelope. */
  end(item: In): void;
  /** The other side cancelled the call. */
  cancelled(item: In): void;
  /** The channel stopped: silence past `livenessMs`, a message past the window, or a full buffer. */
  failed(failure: ChannelFailure): void;
  /** The other side's window opened after `write()` said to wait. */
  writable?(): void;
}

/** How a channel starts. */
export interface ChannelStart {
  /** The window the other side granted so far (a caller's opening frame carries one; a caller starts with none). */
  peerWindow?: number;
  /** Messages the other side sent already (0, or 1 for the request riding on a server-streaming opening). */
  received?: number;
  /**
   * Deliver messages only as `read()` asks for them (a grpc-js reader's `startRead`), granting
   * window for what was read; by default every message is delivered as it arrives and counts as taken.
   */
  pull?: boolean;
}
