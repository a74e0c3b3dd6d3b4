import type { Count, MetricAttributes } from './metric-instruments.js';

/**
 * Calls in flight, counted here and reported when metrics are collected (an observable
 * up-down counter), so that a call costs a map lookup rather than two SDK measurements. Keyed
 * by the attributes object: callers pass the same object for one method (`VrpcTelemetry` keeps
 * one per method), so the number of entries is bounded by the methods labelled.
 */
export class InFlightTally implements Count {
  private readonly counts = new Map<MetricAttributes, number>();

  add(value: number, attributes: MetricAttributes = EMPTY): void {
    this.counts.set(attributes, (this.counts.get(attributes) ?? 0) + value);
  }

  /** Every method's count, as the collection observes them. */
  entries(): IterableIterator<[MetricAttributes, number]> {
    return this.counts.entries();
  }
}

const EMPTY: MetricAttributes = Object.freeze({});
