// JVM process handling: java binary, detached spawn, pid files, bounded termination.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** java from JAVA_HOME, else from PATH. */
export function javaBin() {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** @param {number} pid — false for exited and zombie processes */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EPERM') return false;
  }
  try {
    // "pid (comm) S ..." — state Z/X means exited but not yet reaped
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX]/s.test(stat);
  } catch {
    return true; // no /proc
  }
}

/**
 * Pid from a pid file if that process is alive and (where /proc exists) its command line
 * mentions `marker` — guards against pid reuse after a reboot or crash.
 * @param {string} pidFile @param {string} marker
 * @returns {Promise<number | undefined>}
 */
export async function livePid(pidFile, marker) {
  let pid;
  try {
    pid = Number.parseInt(await readFile(pidFile, 'utf8'), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes(marker)) return undefined;
  } catch {
    // no /proc (macOS): trust the pid file
  }
  return pid;
}

/**
 * Runs a command to completion, capturing output.
 * @param {string} cmd @param {string[]} args @param {{ cwd?: string }} [opts]
 * @returns {Promise<{ code: number | null, output: string }>}
 */
export function runToEnd(cmd, args, { cwd } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (err) => reject(new Error(`cannot run ${cmd}: ${err.message}`)));
    child.on('close', (code) => resolvePromise({ code, output }));
  });
}

/**
 * Starts a detached process with stdout/stderr appended to `logFile`, writes `pidFile`.
 * @param {string} cmd @param {string[]} args @param {{ logFile: string, pidFile: string, cwd: string }} opts
 * @returns {Promise<number>} pid
 */
export async function spawnDetached(cmd, args, { logFile, pidFile, cwd }) {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(cmd, args, { cwd, detached: true, stdio: ['ignore', fd, fd] });
    const pid = await new Promise((resolvePromise, reject) => {
      child.once('error', (err) => reject(new Error(`cannot start ${cmd}: ${err.message}`)));
      child.once('spawn', () => resolvePromise(/** @type {number} */ (child.pid)));
    });
    child.unref();
    await writeFile(pidFile, `${pid}\n`);
    return pid;
  } finally {
    closeSync(fd);
  }
}

/**
 * SIGTERM, wait up to `timeoutMs` for exit, then SIGKILL. Removes the pid file.
 * @param {number} pid @param {string} pidFile @param {number} [timeoutMs]
 * @returns {Promise<'terminated' | 'killed'>}
 */
export async function terminate(pid, pidFile, timeoutMs = 30_000) {
  let how = /** @type {'terminated' | 'killed'} */ ('terminated');
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) {
    how = 'killed';
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // raced with exit
    }
    const killDeadline = Date.now() + 5000;
    while (isAlive(pid) && Date.now() < killDeadline) await sleep(100);
  }
  await rm(pidFile, { force: true });
  return how;
}
