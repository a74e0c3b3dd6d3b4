// Cross-process lock (mkdir is atomic) so concurrent start/stop calls on one cluster serialize.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from './process.mjs';

/**
 * Runs `fn` while holding the lock directory `lockDir`. A lock whose owner process is gone is taken over.
 * @template T
 * @param {string} lockDir @param {() => Promise<T>} fn @param {{ timeoutMs?: number }} [opts]
 * @returns {Promise<T>}
 */
export async function withLock(lockDir, fn, { timeoutMs = 180_000 } = {}) {
  const owner = join(lockDir, 'owner');
  await mkdir(dirname(lockDir), { recursive: true });
  const since = Date.now();
  const deadline = since + timeoutMs;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(owner, `${process.pid}\n`);
      break;
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(await readFile(owner, 'utf8').catch(() => ''), 10);
      // owner file not written yet: give the other process a moment before judging it stale
      if (Number.isInteger(pid) ? !isAlive(pid) : Date.now() - since > 5000) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${lockDir} (held by pid ${pid})`, { cause: err });
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
