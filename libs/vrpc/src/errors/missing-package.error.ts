/** An optional package a chosen feature needs (a bus client, ioredis…) is not installed. */
export class MissingPackageError extends Error {
  override readonly name = 'MissingPackageError';

  /** @param feature what needs it, e.g. `the "nats" bus` or `the Redis task store` */
  constructor(
    readonly feature: string,
    readonly packages: string[],
    options?: ErrorOptions,
  ) {
    super(
      `vRPC: ${feature} needs ${packages.map((name) => `"${name}"`).join(' and ')}, which cannot be loaded; ` +
        `install it in your app: npm install ${packages.join(' ')}`,
      options,
    );
  }
}
