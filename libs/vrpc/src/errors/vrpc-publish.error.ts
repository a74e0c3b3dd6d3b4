import { VrpcBusError } from './vrpc-bus.error.js';

/**
 * Why a publish failed, as far as vRPC acts on it: `too-large` (over the broker's max message
 * size), `unknown-topic`, `unknown-partition`, `invalid-topic`, `not-authorized`, `unroutable`
 * (no queue or stream takes it), or `unavailable` (anything else, worth retrying).
 */
export type PublishFailureReason =
  'too-large' | 'unknown-topic' | 'unknown-partition' | 'invalid-topic' | 'not-authorized' | 'unroutable' | 'unavailable';

/**
 * A publish the bus could not do, saying whether trying again can help: a `final` one (the
 * message or its address is wrong) fails the same way every time, so vRPC does not retry it.
 */
export class VrpcPublishError extends VrpcBusError {
  override readonly name: string = 'VrpcPublishError';

  /** @param bus the bus's name, e.g. `kafka`, `nats` */
  constructor(
    bus: string,
    readonly reason: PublishFailureReason,
    readonly final: boolean,
    message: string,
    options?: ErrorOptions,
  ) {
    super(bus, message, options);
  }
}

/** True for a publish error that retrying cannot cure. */
export function isFinalPublishError(error: unknown): error is VrpcPublishError {
  return error instanceof VrpcPublishError && error.final;
}

/** True for a publish refused because the message is over the broker's max message size. */
export function isTooLargeError(error: unknown): error is VrpcPublishError {
  return error instanceof VrpcPublishError && error.reason === 'too-large';
}
