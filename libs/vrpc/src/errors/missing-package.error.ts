import { VrpcMessages } from './vrpc.messages.js';

/** An optional package a chosen feature needs (a bus client, ioredis…) is not installed. */
export class MissingPackageError extends Error {
  override readonly name = 'MissingPackageError';

  /** @param feature what needs it, e.g. `the "nats" bus` or `the Redis task store` */
  constructor(
    readonly feature: string,
    readonly packages: string[],
    options?: ErrorOptions,
  ) {
    super(VrpcMessages.missingPackage(feature, packages), options);
  }
}
