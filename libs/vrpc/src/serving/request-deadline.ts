import type { RequestEnvelope } from '../protocol/envelope.js';

/** How far ahead of this server's clock a producer's `timestamp` may be and still be believed. */
export const CLOCK_SKEW_MS = 60_000;

// A timestamp's unit, told apart by magnitude: from 1973 onwards every unit lands in its own
// range (1e11 s is the year 5138, 1e11 ms is March 1973), so the thresholds never mistake a
// real clock reading of one unit for another's.
const MS_FROM = 1e11;
const US_FROM = 1e14;
const NS_FROM = 1e17;

/**
 * A request's `timestamp` in milliseconds since the epoch, whatever unit its producer wrote:
 * this project writes milliseconds, the original vRPC nanoseconds (Go's `UnixNano`); seconds
 * and microseconds are read too. Zero or less stays as it is (no timestamp).
 */
export function timestampMs(timestamp: number): number {
  if (timestamp >= NS_FROM) return timestamp / 1e6;
  if (timestamp >= US_FROM) return timestamp / 1e3;
  if (timestamp >= MS_FROM || timestamp <= 0) return timestamp;
  return timestamp * 1e3;
}

/**
 * The deadline a request is served by (ms since the epoch; 0: none). Field 18 (`deadline`) when
 * the sender set it; else, for producers of the original's shape, `timestamp` + `timeout_ms`.
 * A timestamp missing, or ahead of `now` by more than `CLOCK_SKEW_MS`, is not believed: the
 * timeout then runs from `now`. One far in the past is believed: such a request has expired.
 * A `timeout_ms` of zero or less means no deadline, as in the original.
 */
export function requestDeadline(envelope: Pick<RequestEnvelope, 'deadline' | 'timestamp' | 'timeoutMs'>, now: number): number {
  if (envelope.deadline > 0) return envelope.deadline;
  if (envelope.timeoutMs <= 0) return 0;
  const sent = timestampMs(envelope.timestamp);
  const from = sent > 0 && sent <= now + CLOCK_SKEW_MS ? sent : now;
  return Math.round(from + envelope.timeoutMs);
}
