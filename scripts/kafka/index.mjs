// Public API: start/stop/status/reset a local KRaft Kafka (1 node or an N-node cluster) on 127.0.0.1.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { clusterLayout, externalBrokers } from './config.mjs';
import { withLock } from './lock.mjs';
import { javaBin, livePid, spawnDetached, terminate } from './process.mjs';
import { ensureKafkaLibs } from './resolve.mjs';
import { makeTlsMaterial, secureSettings, secureUsers } from './secure.mjs';
import { BROKER_MAIN, clusterId, jvmArgs, prepareNode } from './storage.mjs';
import { advertisedIds, waitForBrokers, waitForGroupCoordinator, waitForInSync } from './wait.mjs';

export { clusterLayout } from './config.mjs';

/** @typedef {import('./config.mjs').ClusterLayout} ClusterLayout */
/** @typedef {import('./config.mjs').NodeLayout} NodeLayout */
/** @typedef {(msg: string) => void} Logger */

/** @param {ClusterLayout} cluster @param {number | undefined} node */
function selectNodes(cluster, node) {
  if (node === undefined) return cluster.nodes;
  const found = cluster.nodes.find((n) => n.id === node);
  if (!found) throw new Error(`node must be 1..${cluster.nodes.length}, got ${node}`);
  return [found];
}

/** The CA a secure cluster's listener presents, if made yet (undefined for a plain cluster). @param {ClusterLayout} cluster */
async function caOf(cluster) {
  if (!cluster.secure) return undefined;
  return readFile(cluster.secure.caFile, 'utf8').catch(() => undefined);
}

/** @param {ClusterLayout} cluster @param {NodeLayout[]} selected */
function logsHint(cluster, selected) {
  return selected.length === 1 ? selected[0].logDir : join(cluster.runDir, 'node-*', 'logs');
}

/**
 * Starts the broker(s) unless already running; waits until they answer and advertise each other.
 * With VRPC_KAFKA_BROKERS set nothing is started (except the secure profile, always local).
 * `secure`: the single SASL_SSL (SCRAM-SHA-512) + ACL broker; `security` then holds its CA and users.
 * @param {{ nodes?: number, node?: number, fresh?: boolean, secure?: boolean, log?: Logger, timeoutMs?: number }} [opts]
 * @returns {Promise<{ brokers: string[], started: boolean, security?: import('./secure.mjs').SecureSettings }>}
 *   started is false if reused or external
 */
export async function startKafka({ nodes = 1, node, fresh = false, secure = false, log = console.log, timeoutMs = 90_000 } = {}) {
  const external = secure ? undefined : externalBrokers();
  if (external) {
    log(`VRPC_KAFKA_BROKERS is set: using external Kafka at ${external.join(',')} (nothing started)`);
    return { brokers: external, started: false };
  }
  const cluster = clusterLayout({ nodes, secure });
  const selected = selectNodes(cluster, node);
  if (fresh && node !== undefined) throw new Error('--fresh wipes the whole cluster and cannot be combined with --node');
  const brokers = cluster.nodes.map((n) => n.address);
  return withLock(`${cluster.runDir}.lock`, async () => {
    if (fresh) await wipe(cluster, log);
    await ensureKafkaLibs({ version: cluster.version, libsDir: cluster.libsDir, log });
    /** @type {NodeLayout[]} */
    const toStart = [];
    /** @type {Map<number, number>} */
    const pids = new Map();
    for (const n of selected) {
      const pid = await livePid(n.pidFile, n.propsFile);
      if (pid !== undefined) pids.set(n.id, pid);
      else if ((await advertisedIds(n.address, { ca: await caOf(cluster) })) !== undefined) {
        log(`Warning: ${n.address} already answers as Kafka but was not started from ${n.dir}; reusing it`);
      } else toStart.push(n);
    }
    const t0 = Date.now();
    const users = cluster.secure
      ? await secureUsers(cluster.secure, { dataDirs: toStart.map((n) => n.dataDir), running: toStart.length < selected.length })
      : undefined;
    if (toStart.length > 0) {
      const id = await clusterId(cluster);
      // a new CA at every start of the secure broker; a running one keeps the files it started with
      if (cluster.secure && users) await makeTlsMaterial(cluster.secure, users);
      await Promise.all(toStart.map((n) => prepareNode(cluster, n, id, users)));
    }
    for (const n of toStart) {
      const args = [...jvmArgs(cluster, n), BROKER_MAIN, n.propsFile];
      pids.set(n.id, await spawnDetached(javaBin(), args, { logFile: n.stdoutFile, pidFile: n.pidFile, cwd: n.dir }));
    }
    const targets = selected.map((n) => ({
      id: n.id,
      address: n.address,
      pid: pids.get(n.id),
      logFiles: [n.stdoutFile, join(n.logDir, 'server.log')],
    }));
    const expectIds = node === undefined ? cluster.nodes.map((n) => n.id) : [node];
    const ca = await caOf(cluster);
    try {
      await waitForBrokers(targets, expectIds, { timeoutMs, ca });
      // FindCoordinator needs authentication on the secure listener: its clients wait for the coordinator
      if (ca === undefined) await waitForGroupCoordinator(selected[0].address, { timeoutMs: 30_000 });
      if (cluster.nodes.length > 1) await waitForInSync(selected[0].address, { timeoutMs: 60_000 });
    } catch (err) {
      // do not leave half a cluster behind: stop what this call started
      await stopNodes(toStart, () => {});
      throw err;
    }
    const where = selected.map((n) => n.address).join(',');
    const logs = logsHint(cluster, selected);
    if (toStart.length > 0) {
      log(`Kafka ready at ${where} (${cluster.name}, Kafka ${cluster.version}, ${((Date.now() - t0) / 1000).toFixed(1)} s; logs: ${logs})`);
    } else {
      log(`Kafka already running at ${where} (${cluster.name}; logs: ${logs})`);
    }
    const security = cluster.secure ? await secureSettings(cluster.secure) : undefined;
    return { brokers, started: toStart.length > 0, ...(security ? { security } : {}) };
  });
}

/**
 * Stops the broker(s) (SIGTERM, bounded wait, then SIGKILL) and removes pid files.
 * @param {{ nodes?: number, node?: number, secure?: boolean, log?: Logger }} [opts]
 * @returns {Promise<{ stopped: number[] }>} ids of nodes that were running
 */
export async function stopKafka({ nodes = 1, node, secure = false, log = console.log } = {}) {
  if (!secure && externalBrokers()) {
    log('VRPC_KAFKA_BROKERS is set: external Kafka is not managed here (nothing stopped)');
    return { stopped: [] };
  }
  const cluster = clusterLayout({ nodes, secure });
  const selected = selectNodes(cluster, node);
  return withLock(`${cluster.runDir}.lock`, () => stopNodes(selected, log));
}

/** @param {NodeLayout[]} selected @param {Logger} log */
async function stopNodes(selected, log) {
  /** @type {number[]} */
  const stopped = [];
  await Promise.all(
    selected.map(async (n) => {
      const pid = await livePid(n.pidFile, n.propsFile);
      if (pid === undefined) {
        await rm(n.pidFile, { force: true });
        return;
      }
      const how = await terminate(pid, n.pidFile);
      stopped.push(n.id);
      log(`Kafka node ${n.id} (${n.address}, pid ${pid}) ${how === 'killed' ? 'killed after timeout' : 'stopped'}`);
    }),
  );
  if (stopped.length === 0) log(`Kafka not running (${selected.map((n) => n.address).join(',')})`);
  return { stopped: stopped.sort() };
}

/** @param {ClusterLayout} cluster @param {Logger} log */
async function wipe(cluster, log) {
  await stopNodes(cluster.nodes, (msg) => (msg.startsWith('Kafka not running') ? undefined : log(msg)));
  await rm(cluster.runDir, { recursive: true, force: true, maxRetries: 3 });
  log(`Wiped ${cluster.runDir}`);
}

/**
 * @param {{ nodes?: number, secure?: boolean }} [opts]
 * @returns {Promise<{ running: boolean, brokers: string[], nodes: { id: number, address: string, pid?: number, answering: boolean }[] }>}
 *   running: every node answers (external: at least one); brokers: the answering addresses
 */
export async function kafkaStatus({ nodes = 1, secure = false } = {}) {
  const external = secure ? undefined : externalBrokers();
  if (external) {
    const list = await Promise.all(
      external.map(async (address, i) => ({ id: i + 1, address, answering: (await advertisedIds(address)) !== undefined })),
    );
    const up = list.filter((n) => n.answering).map((n) => n.address);
    return { running: up.length > 0, brokers: up, nodes: list };
  }
  const cluster = clusterLayout({ nodes, secure });
  const ca = await caOf(cluster);
  const list = await Promise.all(
    cluster.nodes.map(async (n) => ({
      id: n.id,
      address: n.address,
      pid: await livePid(n.pidFile, n.propsFile),
      answering: (await advertisedIds(n.address, { ca })) !== undefined,
    })),
  );
  const up = list.filter((n) => n.answering).map((n) => n.address);
  return { running: up.length === list.length, brokers: up, nodes: list };
}

/**
 * Stops the cluster and deletes its data and logs (the Maven cache is kept).
 * @param {{ nodes?: number, secure?: boolean, log?: Logger }} [opts]
 */
export async function resetKafka({ nodes = 1, secure = false, log = console.log } = {}) {
  if (!secure && externalBrokers()) throw new Error('VRPC_KAFKA_BROKERS is set: refusing to reset an external cluster');
  const cluster = clusterLayout({ nodes, secure });
  await withLock(`${cluster.runDir}.lock`, () => wipe(cluster, log));
}
