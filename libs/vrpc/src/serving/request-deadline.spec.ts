import { describe, expect, it } from 'vitest';
import { CLOCK_SKEW_MS, requestDeadline, timestampMs } from './request-deadline.js';

const NOW = Date.UTC(2026, 11, 1, 23, 0, 0);

describe('timestampMs', () => {
  it('reads milliseconds as they are, and nanoseconds (Go UnixNano), microseconds and seconds by magnitude', () => {
    expect(timestampMs(NOW)).toBe(NOW);
    expect(timestampMs(NOW * 1e6)).toBe(NOW);
    expect(timestampMs(NOW * 1e3)).toBe(NOW);
    expect(timestampMs(NOW / 1e3)).toBe(NOW);
  });

  it('leaves no timestamp (0 or less) as it is', () => {
    expect(timestampMs(0)).toBe(0);
    expect(timestampMs(-5)).toBe(-5);
  });
});

describe('requestDeadline', () => {
  it('keeps field 18 when the sender set it, whatever timestamp and timeout say', () => {
    expect(requestDeadline({ deadline: NOW + 7, timestamp: 1, timeoutMs: 1 }, NOW)).toBe(NOW + 7);
  });

  it('derives timestamp + timeout_ms when field 18 is absent, in ms or in ns', () => {
    expect(requestDeadline({ deadline: 0, timestamp: NOW - 1_000, timeoutMs: 5_000 }, NOW)).toBe(NOW + 4_000);
    expect(requestDeadline({ deadline: 0, timestamp: (NOW - 1_000) * 1e6, timeoutMs: 5_000 }, NOW)).toBe(NOW + 4_000);
  });

  it('gives a request sent long ago a deadline already passed', () => {
    expect(requestDeadline({ deadline: 0, timestamp: (NOW - 60_000) * 1e6, timeoutMs: 5_000 }, NOW)).toBeLessThan(NOW);
  });

  it('believes a timestamp slightly ahead (clock skew), and runs the timeout from now for one further ahead or missing', () => {
    expect(requestDeadline({ deadline: 0, timestamp: NOW + CLOCK_SKEW_MS, timeoutMs: 5_000 }, NOW)).toBe(NOW + CLOCK_SKEW_MS + 5_000);
    expect(requestDeadline({ deadline: 0, timestamp: NOW + CLOCK_SKEW_MS + 1, timeoutMs: 5_000 }, NOW)).toBe(NOW + 5_000);
    expect(requestDeadline({ deadline: 0, timestamp: (NOW + 3_600_000) * 1e6, timeoutMs: 5_000 }, NOW)).toBe(NOW + 5_000);
    expect(requestDeadline({ deadline: 0, timestamp: 0, timeoutMs: 5_000 }, NOW)).toBe(NOW + 5_000);
  });

  it('has no deadline without a timeout (timeout_ms 0 or less)', () => {
    expect(requestDeadline({ deadline: 0, timestamp: NOW, timeoutMs: 0 }, NOW)).toBe(0);
    expect(requestDeadline({ deadline: 0, timestamp: NOW, timeoutMs: -1 }, NOW)).toBe(0);
  });
});
