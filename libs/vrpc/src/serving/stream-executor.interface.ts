import type { IncomingMessage } from '../bus/bus.interface.js';
import type { CallType, RequestEnvelope, ResponseEnvelope } from '../protocol/envelope.js';
import type { CallerIdentity } from './request-executor.interface.js';
import type { ReplyStatus } from './status-from-error.js';

/** Where a stream's caller messages go, in order, each once. */
export interface StreamRequestSink {
  /** One message of the caller (its bytes, encoded with the method's proto). */
  message(payload: Buffer): void;
  /** The caller half-closed: no more messages. */
  end(): void;
}

/** How a call ends from the server's side: its status and, optionally, a last message riding on the end. */
export interface StreamEnd extends ReplyStatus {
  payload?: Buffer;
}

/**
 * What an executor sees of one streaming call (a `StreamSession`): the caller's messages, a
 * writable side paced by the caller's window, the end, and a signal for everything that stops
 * the call from outside (cancel, deadline, silence, a failure to publish, the server closing).
 */
export interface StreamCallIO {
  readonly callType: CallType;
  /** The opening envelope: id, service, method, metadata, deadline; for a server-streaming call, the request in `payload`. */
  readonly opening: RequestEnvelope;
  readonly message: IncomingMessage;
  readonly caller: CallerIdentity;
  /** Aborted when the call stops (cancel, deadline, silence, a publish failure, the server closing; and once its end is out): the executor stops its work; no end of its own is needed. */
  readonly signal: AbortSignal;
  /** Where the caller's messages go; they are delivered as `read()` asks (`read(Infinity)`: as they come). */
  onRequests(sink: StreamRequestSink): void;
  /** Asks for `count` more caller messages; window is granted for those delivered. */
  read(count?: number): void;
  /** Writes one message; `false`: held beyond the window (wait for `whenWritable()` where the producer can). */
  write(payload: Buffer): boolean;
  /** Resolves once a write would go out at once, or the call has stopped. */
  whenWritable(): Promise<void>;
  /** Ends the call with a status (after what is held); later calls do nothing. */
  end(end: StreamEnd): void;
}

/** Runs one accepted streaming call. */
export type StreamHandler = (io: StreamCallIO) => void;

/**
 * Decides on a streaming opening: a handler that runs it once it is accepted, or the reply that
 * refuses it (UNIMPLEMENTED, INVALID_ARGUMENT …), sent as a plain reply without a frame.
 */
export type StreamExecutor = (
  envelope: RequestEnvelope,
  message: IncomingMessage,
  caller: CallerIdentity,
) => StreamHandler | ResponseEnvelope;
