import type { Logger } from '@nestjs/common';

/** Registers work to redo after every reconnect (not now); returns the function that stops it. */
export type OnReconnect = (hook: () => Promise<void>) => () => void;

/**
 * What must be set up again when a bus's connection comes back (a channel, a consumer): the
 * one shape both reconnecting buses (NATS, RabbitMQ) hand to their subscriptions and inboxes.
 */
export class ReconnectHooks {
  private readonly hooks = new Set<() => Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** See `OnReconnect`. */
  readonly add: OnReconnect = (hook) => {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  };

  /** Runs every hook at once; one that fails is logged and does not hold up the others. */
  run(): void {
    for (const hook of this.hooks) {
      hook().catch((error: unknown) => this.logger.error(`setting up again after a reconnect failed: ${String(error)}`));
    }
  }

  clear(): void {
    this.hooks.clear();
  }
}
