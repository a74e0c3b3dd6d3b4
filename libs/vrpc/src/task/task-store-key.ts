import { createHash } from 'node:crypto';

/** Longest task key kept readable in a store key; longer ones (and any starting with `#`) are hashed. */
const READABLE_KEY_CHARS = 128;

/**
 * The store key of a task: scoped by service and method, so one key on two methods names two
 * tasks (`vrpc.jobs.JobService/Run/job-7`). Keys over 128 characters, or starting with `#`,
 * become `#` and their SHA-256 (base64url), so a store key stays short and a readable key can
 * never equal a hashed one.
 */
export function taskStoreKey(fullServiceName: string, method: string, key: string): string {
  const scoped = key.length > READABLE_KEY_CHARS || key.startsWith('#') ? `#${createHash('sha256').update(key).digest('base64url')}` : key;
  return `${fullServiceName}/${method}/${scoped}`;
}
