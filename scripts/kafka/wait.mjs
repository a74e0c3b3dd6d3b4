// Bounded readiness wait: brokers answer ApiVersions/Metadata and advertise the expected node ids.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { findGroupCoordinator, probeBroker, probeTlsBroker } from './protocol.mjs';
import { isAlive } from './process.mjs';

/** Last `lines` lines of a file, or a note that it is missing. @param {string} file @param {number} [lines] */
export async function tail(file, lines = 40) {
  try {
    const text = await readFile(file, 'utf8');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  } catch {
    return `(no ${file})`;
  }
}

/**
 * Ids of brokers advertised by `address`, or undefined if it does not answer. With `ca` (a SASL_SSL
 * listener) only ApiVersions is answered before authentication: [] when it answers.
 * @param {string} address @param {{ ca?: string }} [opts]
 * @returns {Promise<number[] | undefined>}
 */
export async function advertisedIds(address, { ca } = {}) {
  try {
    if (ca !== undefined) {
      await probeTlsBroker(address, { ca, timeoutMs: 1500 });
      return [];
    }
    const { brokers } = await probeBroker(address, { timeoutMs: 1500 });
    return brokers.map((b) => b.nodeId);
  } catch {
    return undefined;
  }
}

/**
 * @typedef {{ id: number, address: string, pid?: number, logFiles: string[] }} WaitTarget
 */

/**
 * Waits until every target answers and its Metadata lists all `expectIds` (with `ca`, a SASL_SSL
 * listener: until it answers ApiVersions over TLS). Fails fast if a target's process exits; the
 * error carries the log tails.
 * @param {WaitTarget[]} targets @param {number[]} expectIds @param {{ timeoutMs?: number, ca?: string }} [opts]
 */
export async function waitForBrokers(targets, expectIds, { timeoutMs = 90_000, ca } = {}) {
  const deadline = Date.now() + timeoutMs;
  /** @type {Map<number, string>} */
  const lastState = new Map();
  for (;;) {
    const results = await Promise.all(targets.map((t) => advertisedIds(t.address, { ca })));
    let ready = true;
    for (let i = 0; i < targets.length; i++) {
      const ids = results[i];
      const ok = ids !== undefined && (ca !== undefined || expectIds.every((id) => ids.includes(id)));
      lastState.set(targets[i].id, ids === undefined ? 'not answering' : `advertises brokers [${ids.join(',')}]`);
      if (!ok) ready = false;
    }
    if (ready) return;
    const dead = targets.find((t) => t.pid !== undefined && !isAlive(t.pid));
    if (dead) throw await waitError(`Kafka node ${dead.id} (pid ${dead.pid}) exited during startup`, [dead]);
    if (Date.now() > deadline) {
      const state = targets.map((t) => `node ${t.id} @ ${t.address}: ${lastState.get(t.id)}`).join('; ');
      throw await waitError(`Kafka not ready after ${timeoutMs / 1000} s (${state})`, targets);
    }
    await sleep(250);
  }
}

/**
 * Waits until a group coordinator is available. The first FindCoordinator makes the broker create
 * __consumer_offsets, so the first test consumer does not hit COORDINATOR_NOT_AVAILABLE.
 * @param {string} address @param {{ timeoutMs?: number }} [opts]
 */
export async function waitForGroupCoordinator(address, { timeoutMs = 30_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const code = await findGroupCoordinator(address, 'vrpc-kafka-warmup');
      if (code === 0) return;
      last = `error code ${code}`;
    } catch (err) {
      last = /** @type {Error} */ (err).message;
    }
    await sleep(200);
  }
  throw new Error(`no group coordinator at ${address} after ${timeoutMs / 1000} s (${last})`);
}

/**
 * Waits until every partition whose replicas include a live broker has a leader and all live replicas
 * in its ISR, so acks=all / min.insync.replicas work right after a (re)start.
 * @param {string} address @param {{ timeoutMs?: number }} [opts]
 */
export async function waitForInSync(address, { timeoutMs = 60_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const { brokers, partitions } = await probeBroker(address, { allTopics: true, timeoutMs: 3000 });
      const live = new Set(brokers.map((b) => b.nodeId));
      const lagging = partitions.filter((p) => {
        const liveReplicas = p.replicas.filter((id) => live.has(id));
        return liveReplicas.length > 0 && (p.leader < 0 || liveReplicas.some((id) => !p.isr.includes(id)));
      });
      if (lagging.length === 0) return;
      last = lagging
        .slice(0, 5)
        .map((p) => `${p.topic}-${p.partition} leader ${p.leader} isr [${p.isr}] of [${p.replicas}]`)
        .join('; ');
    } catch (err) {
      last = /** @type {Error} */ (err).message;
    }
    await sleep(250);
  }
  throw new Error(`replicas not in sync at ${address} after ${timeoutMs / 1000} s: ${last}`);
}

/** @param {string} message @param {WaitTarget[]} targets */
async function waitError(message, targets) {
  const parts = [message];
  for (const t of targets) {
    for (const file of t.logFiles) parts.push(`--- tail of ${file} ---\n${await tail(file, 30)}`);
  }
  return new Error(parts.join('\n'));
}
