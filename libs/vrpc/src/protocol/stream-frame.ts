import { type DecodedLong, longToNumber } from './long.js';

/** The four gRPC call types (`CallType` on the wire). */
export enum CallType {
  UNARY = 0,
  SERVER_STREAMING = 1,
  CLIENT_STREAMING = 2,
  BIDI_STREAMING = 3,
}

/**
 * The streaming part of an envelope: on every envelope of a streaming call, on none of a unary
 * one (docs/streaming.md). Absent fields read as their defaults.
 */
export interface StreamFrame {
  /** On the opening frame: the call's type. */
  callType?: CallType;
  /** A message's index in its direction, from 0; on an end frame without a message, how many were sent. */
  sequence?: number;
  /** The envelope's payload is one message of the stream. */
  hasMessage?: boolean;
  /** The sender's last frame: the caller's half-close, or the server's status (in the reply's status fields). */
  end?: boolean;
  /** Caller → server: stop the call. */
  cancel?: boolean;
  /** The sender's grant: the other side may send messages with an index below it. */
  window?: number;
  /** On the server's acceptance: where the caller sends its later frames. */
  inboxTopic?: string;
  inboxPartition?: number;
  /** Caller: the opening frame (on the request topic). Server: the acceptance. */
  open?: boolean;
}

/** A decoded `StreamFrame`. */
export interface DecodedFrame {
  callType: number;
  sequence: DecodedLong;
  hasMessage: boolean;
  end: boolean;
  cancel: boolean;
  window: DecodedLong;
  inboxTopic: string;
  inboxPartition: number | null | undefined;
  open: boolean;
}

/** A plain copy of a decoded frame, with only the fields that are set (an unknown call type reads as it came). */
export function copyFrame(frame: DecodedFrame): StreamFrame {
  const copy: StreamFrame = {};
  if (frame.callType) copy.callType = frame.callType;
  const sequence = longToNumber(frame.sequence);
  if (sequence) copy.sequence = sequence;
  if (frame.hasMessage) copy.hasMessage = true;
  if (frame.end) copy.end = true;
  if (frame.cancel) copy.cancel = true;
  const window = longToNumber(frame.window);
  if (window) copy.window = window;
  if (frame.inboxTopic) copy.inboxTopic = frame.inboxTopic;
  if (frame.inboxPartition !== null && frame.inboxPartition !== undefined) copy.inboxPartition = frame.inboxPartition;
  if (frame.open) copy.open = true;
  return copy;
}
