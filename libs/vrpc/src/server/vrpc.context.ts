import { BaseRpcContext } from '@nestjs/microservices';
import type { IncomingMessage } from '../bus/bus.interface.js';
import type { RequestEnvelope } from '../codec/envelope.js';

type VrpcContextArgs = [envelope: RequestEnvelope, message: IncomingMessage];

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

  /** The decoded envelope. */
  getEnvelope(): RequestEnvelope {
    return this.args[0];
  }

  /** The bus message (topic, partition, offset, headers). */
  getMessage(): IncomingMessage {
    return this.args[1];
  }
}
