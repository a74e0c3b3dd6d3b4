// Per-node files (server.properties, log4j2.xml) and one-time KRaft storage formatting.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { log4j2Xml, serverProperties } from './config.mjs';
import { javaBin, runToEnd } from './process.mjs';
import { scramFormatArgs } from './secure.mjs';

/** Main classes on the kafka_2.13 classpath (Kafka 4.x). */
export const BROKER_MAIN = 'kafka.Kafka';
export const STORAGE_TOOL_MAIN = 'kafka.tools.StorageTool';

/** @typedef {import('./config.mjs').ClusterLayout} ClusterLayout */
/** @typedef {import('./config.mjs').NodeLayout} NodeLayout */

/**
 * Cluster id shared by all nodes (Kafka Uuid: 16 random bytes, base64url), persisted in the run dir.
 * Call once per start, before formatting nodes in parallel.
 * @param {ClusterLayout} cluster
 */
export async function clusterId(cluster) {
  try {
    const id = (await readFile(cluster.clusterIdFile, 'utf8')).trim();
    if (id) return id;
  } catch {
    // first run
  }
  await mkdir(cluster.runDir, { recursive: true });
  let id;
  do id = randomBytes(16).toString('base64url');
  while (id.startsWith('-')); // like Kafka's Uuid.randomUuid: a leading '-' reads as a CLI option
  await writeFile(cluster.clusterIdFile, `${id}\n`);
  return id;
}

/** JVM arguments shared by the storage tool and the broker. @param {ClusterLayout} cluster @param {NodeLayout} node */
export function jvmArgs(cluster, node) {
  return [
    `-Xmx${cluster.heap}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${node.log4jFile}`,
    // keep logging into server.log until the JVM is gone (Kafka logs from its own shutdown hook)
    '-Dlog4j2.shutdownHookEnabled=false',
    `-Dkafka.logs.dir=${node.logDir}`,
    '-cp',
    join(cluster.libsDir, '*'),
  ];
}

/**
 * Writes the node's config files and formats its storage unless already formatted.
 * With SCRAM users (secure profile) the format writes their credentials into the metadata.
 * @param {ClusterLayout} cluster @param {NodeLayout} node @param {string} id cluster id (see clusterId)
 * @param {Record<string, string>} [users]
 * @returns {Promise<boolean>} true if storage was formatted now
 */
export async function prepareNode(cluster, node, id, users) {
  await mkdir(node.dataDir, { recursive: true });
  await mkdir(node.logDir, { recursive: true });
  await writeFile(node.propsFile, serverProperties(cluster, node, users), { mode: 0o600 });
  await writeFile(node.log4jFile, log4j2Xml(node));
  if (existsSync(join(node.dataDir, 'meta.properties'))) return false;
  const args = [
    ...jvmArgs(cluster, node),
    STORAGE_TOOL_MAIN,
    'format',
    `--cluster-id=${id}`,
    `--config=${node.propsFile}`,
    '--ignore-formatted',
    ...(users ? scramFormatArgs(users) : []),
  ];
  const { code, output } = await runToEnd(javaBin(), args);
  if (code !== 0) throw new Error(`kafka-storage format failed for node ${node.id} (exit ${code}):\n${output}`);
  return true;
}
