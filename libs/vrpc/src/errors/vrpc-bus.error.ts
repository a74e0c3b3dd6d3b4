/** A bus that could not do what was asked (connect, publish, subscribe…); `cause` says why. */
export class VrpcBusError extends Error {
  override readonly name: string = 'VrpcBusError';

  /** @param bus the bus's name, e.g. `kafka`, `nats` */
  constructor(
    readonly bus: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`vRPC: ${bus} bus: ${message}`, options);
  }
}
