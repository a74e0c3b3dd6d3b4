/** Longest text taken from a message that a log line shows (the rest is counted, not shown). */
export const LOG_TEXT_MAX = 120;

// Control characters, the Unicode line and paragraph separators, and lone surrogates: anything
// that could end a log line, move the cursor or forge the start of another line.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff]/gu;

function escapeChar(char: string): string {
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  if (char === '\t') return '\\t';
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * A string read from a message (an id, a key, a name, a topic), made safe to put in a log line:
 * control characters escaped, cut to `max` characters with the length of what was left out.
 */
export function logText(value: string | null | undefined, max = LOG_TEXT_MAX): string {
  if (value === null || value === undefined) return '(none)';
  const shown = value.length > max ? value.slice(0, max) : value;
  const safe = shown.replace(UNSAFE, escapeChar);
  return value.length > max ? `${safe}…(+${value.length - max} chars)` : safe;
}
