import { describe, expect, it } from 'vitest';
import { logText } from './log-text.js';

describe('logText', () => {
  it('escapes what could end a log line or forge another', () => {
    const forged = 'id-1\n[Nest] 1  - 12/01/2026 LOG [VrpcServer] all good\r\u2028\u001b[31m';
    const text = logText(forged);
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\n\r\u2028\u001b]/);
    expect(text).toBe('id-1\\n[Nest] 1  - 12/01/2026 LOG [VrpcServer] all good\\r\\u2028\\u001b[31m');
  });

  it('cuts long values and says how much was left out', () => {
    const text = logText('x'.repeat(512 * 1024), 10);
    expect(text).toBe(`${'x'.repeat(10)}…(+${512 * 1024 - 10} chars)`);
  });

  it('keeps ordinary text and names a missing value', () => {
    expect(logText('client-7/42')).toBe('client-7/42');
    expect(logText(null)).toBe('(none)');
  });
});
