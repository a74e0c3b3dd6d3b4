import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '@nestjs/common';
import type { RequestEnvelope } from '../protocol/envelope.js';
import { ForeignRequests } from './foreign-requests.js';

const NOW = Date.UTC(2026, 11, 1, 23, 0, 0);

function original(id: string, extra: Partial<RequestEnvelope> = {}): RequestEnvelope {
  return {
    requestId: id,
    serviceName: 'demo.Echo',
    methodName: 'Say',
    payload: Buffer.alloc(0),
    metadata: {},
    timestamp: NOW * 1e6,
    timeoutMs: 5_000,
    clientId: 'go',
    replyTo: '',
    deadline: 0,
    taskKey: '',
    attempt: 0,
    oneWay: false,
    ...extra,
  };
}

describe('ForeignRequests', () => {
  const lines: string[] = [];
  const logger = { log: (line: string) => lines.push(line) } as unknown as Logger;

  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    lines.length = 0;
  });

  it('answers a request without reply_to on the reply topic, by the deadline its timestamp and timeout give', () => {
    const completed = new ForeignRequests('replies', logger).complete(original('r1'), NOW);
    expect(completed).toMatchObject({ replyTo: 'replies', deadline: NOW + 5_000 });
    expect(completed.replyPartition).toBeUndefined();
  });

  it('leaves a request of this project (reply_to and deadline set) as it is, and a one-way one without an address', () => {
    const foreign = new ForeignRequests('replies', logger);
    const own = original('r2', { replyTo: 'inbox', replyPartition: 3, deadline: NOW + 9 });
    expect(foreign.complete(own, NOW)).toBe(own);
    expect(foreign.complete(original('r3', { oneWay: true }), NOW).replyTo).toBe('');
    expect(lines).toEqual([]);
  });

  it('logs requests without reply_to once per interval, with the count, escaped', () => {
    const foreign = new ForeignRequests('replies', logger);
    for (let index = 0; index < 5; index++) foreign.complete(original(`r\n${index}`), NOW);
    expect(lines).toEqual(['request demo.Echo/Say r\\n0 from go names no reply_to: answered on replies']);
    vi.advanceTimersByTime(10_000);
    expect(lines[1]).toMatch(/^4 more in 10 s, the last: request demo.Echo\/Say r\\n4/);
  });
});
