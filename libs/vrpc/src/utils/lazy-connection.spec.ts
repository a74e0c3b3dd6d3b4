import { describe, expect, it } from 'vitest';
import { LazyConnection } from './lazy-connection.js';

/** A connection whose attempts the test settles by hand. */
function manual() {
  const attempts: { resolve: (value: string) => void; reject: (error: Error) => void }[] = [];
  const connection = new LazyConnection<string>(() => new Promise<string>((resolve, reject) => attempts.push({ resolve, reject })));
  return { connection, attempts };
}

describe('LazyConnection', () => {
  it('opens on first use only and shares the attempt', async () => {
    const { connection, attempts } = manual();
    expect(connection.current()).toBeUndefined();
    const first = connection.get();
    expect(connection.get()).toBe(first);
    expect(connection.current()).toBe(first);
    attempts[0].resolve('a');
    expect(await first).toBe('a');
    expect(attempts).toHaveLength(1);
  });

  it('has no opened value before the attempt resolves, and the value once it has', async () => {
    const { connection, attempts } = manual();
    const attempt = connection.get();
    expect(connection.opened()).toBeUndefined();
    attempts[0].resolve('a');
    await attempt;
    expect(connection.opened()).toBe('a');
  });

  it('forgets a failed attempt, so the next use opens again', async () => {
    const { connection, attempts } = manual();
    const failed = connection.get();
    attempts[0].reject(new Error('refused'));
    await expect(failed).rejects.toThrow('refused');
    expect(connection.current()).toBeUndefined();
    expect(connection.opened()).toBeUndefined();
    const retried = connection.get();
    expect(retried).not.toBe(failed);
    attempts[1].resolve('b');
    expect(await retried).toBe('b');
    expect(connection.opened()).toBe('b');
  });

  it('take() hands the connection over and forgets it and its value', async () => {
    const { connection, attempts } = manual();
    const attempt = connection.get();
    attempts[0].resolve('a');
    await attempt;
    expect(connection.take()).toBe(attempt);
    expect(connection.current()).toBeUndefined();
    expect(connection.opened()).toBeUndefined();
    expect(connection.take()).toBeUndefined();
  });

  it('never reports the value of an attempt taken before it opened', async () => {
    const { connection, attempts } = manual();
    const stale = connection.get();
    void connection.take();
    const fresh = connection.get();
    attempts[0].resolve('stale');
    await stale;
    expect(connection.opened()).toBeUndefined();
    attempts[1].resolve('fresh');
    await fresh;
    expect(connection.opened()).toBe('fresh');
  });

  it('does not let a failed attempt that was taken forget the current one', async () => {
    const { connection, attempts } = manual();
    const stale = connection.get();
    void connection.take();
    const fresh = connection.get();
    attempts[0].reject(new Error('late failure'));
    await expect(stale).rejects.toThrow('late failure');
    expect(connection.current()).toBe(fresh);
  });
});
