import type { OutgoingMessage } from '../bus.interface.js';

/** Bytes of a message as a broker limit counts them: value, key, and header names and values. */
export function messageBytes(message: OutgoingMessage): number {
  let bytes = message.value.length + (message.key === undefined ? 0 : Buffer.byteLength(message.key));
  for (const [name, value] of Object.entries(message.headers ?? {})) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}
