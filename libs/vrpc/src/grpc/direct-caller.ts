import { status } from '@grpc/grpc-js';
import type { IncomingMessage } from '../bus/bus.interface.js';
import type { RequestEnvelope, ResponseEnvelope } from '../protocol/envelope.js';
import { grpcForwardExecutor } from './grpc-forward.executor.js';
import { GrpcTargetPool } from './grpc-target-pool.js';

const NO_MESSAGE = {} as IncomingMessage;

/** Calls services' gRPC addresses directly, for fallback routes; shares the gateway's forwarding. */
export class DirectCaller {
  private readonly pool: GrpcTargetPool;
  private readonly forward;

  /** @param addresses `host:port` of each `package.Service` */
  constructor(addresses: Record<string, string>) {
    this.pool = new GrpcTargetPool(addresses, undefined, undefined, (service) => `client.fallback["${service}"].address`);
    this.forward = grpcForwardExecutor(this.pool);
  }

  /** The reply of the target; UNAVAILABLE when it cannot be reached. */
  call(envelope: RequestEnvelope): Promise<ResponseEnvelope> {
    return this.forward(envelope, NO_MESSAGE, {});
  }

  /** Whether a reply means the target could not be reached at all. */
  static unreachable(reply: ResponseEnvelope): boolean {
    return reply.statusCode === (status.UNAVAILABLE as number);
  }

  close(): void {
    this.pool.close();
  }
}
