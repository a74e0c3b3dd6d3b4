import { BaseRpcContext } from '@nestjs/microservices';
import type { IncomingMessage } from '../bus/bus.interface.js';
import type { RequestEnvelope } from '../protocol/envelope.js';
import type { CallerIdentity } from '../serving/request-executor.interface.js';

/** The task a call runs as, when it is a task-level singleton. */
export interface VrpcTaskInfo {
  key: string;
  /** Grows with every execution granted for this key: guard side effects with it. */
  fencingToken: number;
}

/** What the server learns about a call while serving it. */
export interface VrpcCallState {
  /** What vRPC verified about the caller (empty when nothing was). */
  caller: CallerIdentity;
  /** Set when the handler runs as the holder of a task (after guards and pipes). */
  task?: VrpcTaskInfo;
}

type VrpcContextArgs = [envelope: RequestEnvelope, message: IncomingMessage, call: VrpcCallState];

/** The third argument of a handler served by vRPC (where gRPC passes its `call`). */
export class VrpcContext extends BaseRpcContext<VrpcContextArgs> {
  /** Correlation id of the call. */
  getRequestId(): string {
    return this.args[0].requestId;
  }

  /** Absolute deadline of the call, in ms since the epoch. */
  getDeadline(): number {
    return this.args[0].deadline;
  }

  /** The task key the call carries, if any (honoured only by `@VrpcTask` methods). */
  getTaskKey(): string | undefined {
    return this.args[0].taskKey || undefined;
  }

  /**
   * The task this execution holds (key and fencing token), if the call is a task-level
   * singleton; set once guards and pipes let the call through, so undefined in a guard.
   */
  getTask(): VrpcTaskInfo | undefined {
    return this.args[2].task;
  }

  /**
   * What vRPC verified about the caller: the signing key id of a verified envelope, the bus
   * principal where known. Authorise by this, not by metadata the caller wrote.
   */
  getCaller(): Readonly<CallerIdentity> {
    return this.args[2].caller;
  }

  /** The decoded envelope. */
  getEnvelope(): RequestEnvelope {
    return this.args[0];
  }

  /** The bus message (topic, partition, offset, headers). */
  getMessage(): IncomingMessage {
    return this.args[1];
  }
}
