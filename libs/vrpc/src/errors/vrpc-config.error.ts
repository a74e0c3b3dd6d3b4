/** A configuration mistake, found before anything is connected: names the option to fix. */
export class VrpcConfigError extends Error {
  override readonly name = 'VrpcConfigError';

  /** @param option the option's path, e.g. `topics.requestPrefix` or `gateway.targets` */
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`vRPC: ${option}: ${message}`);
  }
}
