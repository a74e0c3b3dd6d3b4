import { Metadata, status } from '@grpc/grpc-js';

/**
 * The error a failed call delivers: shaped like a grpc-js `ServiceError` (`code`, `details`,
 * `metadata`), so code written for `ClientGrpc` keeps working.
 */
export class VrpcCallError extends Error {
  override readonly name = 'VrpcCallError';

  constructor(
    readonly code: status,
    readonly details: string,
    readonly metadata: Metadata = new Metadata(),
  ) {
    super(`${code} ${status[code] ?? 'UNKNOWN'}: ${details}`);
  }
}
