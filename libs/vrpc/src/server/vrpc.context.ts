import { BaseRpcContext } from '@nestjs/microservices';
import type { IncomingMessage } from '../bus/bus.interface.js';
import type { RequestEnvelope } from '../protocol/envelope.js';

/** The task a call runs as, when it is a task-level singleton. */
export interface VrpcTaskInfo {
  key: string;
  /** Grows with every execution granted for this key: guard side effects with it. */
  fencingToken: number;
}

type VrpcContextArgs = [envelope: RequestEnvelope, message: IncomingMessage, task?: VrpcTaskInfo];

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

  /** The task key the call carries, if any. */
  getTaskKey(): string | undefined {
    return this.args[0].taskKey || undefined;
  }

  /** The task this execution holds (key and fencing token), if the call is a task-level singleton. */
  getTask(): VrpcTaskInfo | undefined {
    return this.args[2];
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
