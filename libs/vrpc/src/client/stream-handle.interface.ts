import type { Metadata, status } from '@grpc/grpc-js';
import type { CallType } from '../protocol/stream-frame.js';
import type { VrpcCallOptions } from './call-options.interface.js';

/** How a stream ended: OK, or why it failed (with the trailing metadata). */
export interface VrpcStreamStatus {
  /** The gRPC status code; OK ends the stream normally. */
  code: status;
  /** The status message. */
  details: string;
  /** The trailing metadata (with `vrpc-path`). */
  metadata: Metadata;
}

/** What a raw stream tells its opener (`VrpcClient.openStream`); never called synchronously from a handle's method. */
export interface VrpcStreamListener {
  /** The server accepted the call: its leading metadata. */
  onMetadata?(metadata: Metadata): void;
  /** One message of the server, as bytes, in order. */
  onMessage(payload: Buffer): void;
  /** Last: the call's status. Not called after `cancel()`. */
  onStatus(status: VrpcStreamStatus): void;
}

/** One raw streaming call, bytes in and bytes out. */
export interface VrpcStreamHandle {
  /** The call's correlation id. */
  readonly id: string;
  /** Sends one request message (client streaming, bidi); `false` asks to wait (`whenWritable()`) before the next. */
  write(payload: Buffer): boolean;
  /** Resolves once a message written next goes out at once, or the call has ended. */
  whenWritable(): Promise<void>;
  /** Half-close: no more request messages. */
  end(): void;
  /** Stops the call (a cancel frame to the server); the listener hears nothing more. */
  cancel(): void;
  /** Pull mode: asks for `count` more messages (default 1). */
  read(count?: number): void;
}

/** Options of one raw stream. */
export interface VrpcStreamCallOptions extends VrpcCallOptions {
  /** Deliver messages only as `read()` asks for them, granting the server window as they are read. */
  pull?: boolean;
}

/** One raw stream to open (`VrpcClient.openStream`). */
export interface VrpcStreamOpening {
  /** `package.Service` */
  service: string;
  /** The method's name in the proto (`ListFeatures`). */
  method: string;
  /** Server streaming, client streaming or bidi. */
  callType: CallType;
  /** Hears the server's metadata, messages and status. */
  listener: VrpcStreamListener;
  /** The call's metadata, sent on the opening. */
  metadata?: Metadata;
  /** Deadline, task key, pull mode. */
  options?: VrpcStreamCallOptions;
  /** A server-streaming call's one request, encoded; the other types write theirs. */
  request?: Buffer;
}
