// Layout (cache, run dirs, ports) and the generated broker configuration files.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { secureFiles, secureProperties } from './secure.mjs';

/**
 * Kafka version resolved from Maven Central (override: VRPC_KAFKA_VERSION). 4.1.1 .. 4.4.0 all run on
 * Java 17 and pass the kafkajs 2.2.4 smoke test; 4.3.1 is the newest line with a patch release.
 */
export const DEFAULT_KAFKA_VERSION = '4.3.1';
/**
 * log4j2 core + slf4j 1.x binding (Kafka logs through slf4j-api 1.7 and ships no binding in its poms).
 * Same version kafka-server 4.3.1 depends on; as a direct dependency it wins over transitive ones.
 */
export const LOG4J_VERSION = '2.25.4';

/**
 * @typedef {object} NodeLayout
 * @property {number} id            KRaft node.id (1-based)
 * @property {number} port          client (PLAINTEXT) port
 * @property {number} controllerPort KRaft controller port
 * @property {string} address       "127.0.0.1:<port>"
 * @property {string} dir           node root
 * @property {string} dataDir       log.dirs (also holds the KRaft metadata log)
 * @property {string} logDir        log4j2 output (server.log, controller.log, ...)
 * @property {string} stdoutFile    JVM stdout/stderr
 * @property {string} pidFile
 * @property {string} propsFile     generated server.properties
 * @property {string} log4jFile     generated log4j2.xml
 *
 * @typedef {object} ClusterLayout
 * @property {string} name          "single", "cluster<N>" or "secure"
 * @property {import('./secure.mjs').SecureFiles} [secure] set for the SASL_SSL + ACL profile
 * @property {string} version       Kafka version
 * @property {string} cacheRoot     root of everything outside git
 * @property {string} libsDir       resolved jars (classpath)
 * @property {string} runDir        per-cluster data/log root
 * @property {string} clusterIdFile
 * @property {string} heap          -Xmx value
 * @property {NodeLayout[]} nodes
 */

/** @param {string} name @param {number} fallback */
function intEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number.parseInt(raw, 10);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return n;
}

/** Root dir for jars and run data; never inside the git work tree by default. */
export function cacheRoot() {
  if (process.env.VRPC_KAFKA_CACHE) return resolve(process.env.VRPC_KAFKA_CACHE);
  const xdg = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'vrpc-nestjs');
}

/** @returns {string[] | undefined} brokers of an externally managed cluster */
export function externalBrokers() {
  const raw = process.env.VRPC_KAFKA_BROKERS;
  if (!raw || !raw.trim()) return undefined;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * @param {{ nodes?: number, secure?: boolean }} [opts] secure: the single SASL_SSL + ACL node ("secure")
 * @returns {ClusterLayout}
 */
export function clusterLayout({ nodes = 1, secure = false } = {}) {
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) throw new Error(`nodes must be 1..9, got ${nodes}`);
  if (secure && nodes !== 1) throw new Error('the secure profile has one node');
  const version = process.env.VRPC_KAFKA_VERSION || DEFAULT_KAFKA_VERSION;
  const root = cacheRoot();
  const name = secure ? 'secure' : nodes === 1 ? 'single' : `cluster${nodes}`;
  const runRoot = process.env.VRPC_KAFKA_DATA ? resolve(process.env.VRPC_KAFKA_DATA) : join(root, 'run');
  const runDir = join(runRoot, name);
  const basePort = secure
    ? intEnv('VRPC_KAFKA_SECURE_PORT', 19392)
    : nodes === 1
      ? intEnv('VRPC_KAFKA_PORT', 19092)
      : intEnv('VRPC_KAFKA_CLUSTER_PORT', 19192);
  /** @type {NodeLayout[]} */
  const list = [];
  for (let i = 0; i < nodes; i++) {
    const id = i + 1;
    const dir = join(runDir, `node-${id}`);
    const port = basePort + i;
    list.push({
      id,
      port,
      controllerPort: port + 1000,
      address: `127.0.0.1:${port}`,
      dir,
      dataDir: join(dir, 'data'),
      logDir: join(dir, 'logs'),
      stdoutFile: join(dir, 'logs', 'stdout.log'),
      pidFile: join(dir, 'kafka.pid'),
      propsFile: join(dir, 'server.properties'),
      log4jFile: join(dir, 'log4j2.xml'),
    });
  }
  return {
    name,
    version,
    cacheRoot: root,
    libsDir: join(root, `kafka-${version}`, 'libs'),
    runDir,
    clusterIdFile: join(runDir, 'cluster.id'),
    heap: process.env.VRPC_KAFKA_HEAP || '512m',
    nodes: list,
    ...(secure ? { secure: secureFiles(runDir) } : {}),
  };
}

/**
 * server.properties for one combined broker+controller node with a static voter set.
 * @param {ClusterLayout} cluster @param {NodeLayout} node
 * @param {Record<string, string>} [users] SCRAM users (secure profile)
 */
export function serverProperties(cluster, node, users) {
  const n = cluster.nodes.length;
  const minIsr = Math.min(2, n);
  const voters = cluster.nodes.map((x) => `${x.id}@127.0.0.1:${x.controllerPort}`).join(',');
  /** @type {Record<string, string | number | boolean>} */
  const props = {
    'process.roles': 'broker,controller',
    'node.id': node.id,
    'controller.quorum.voters': voters,
    listeners: `PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${node.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': node.dataDir,
    'auto.create.topics.enable': false,
    'num.partitions': 1,
    'default.replication.factor': n,
    'min.insync.replicas': minIsr,
    'offsets.topic.replication.factor': n,
    'offsets.topic.num.partitions': 3,
    'transaction.state.log.replication.factor': n,
    'transaction.state.log.min.isr': minIsr,
    'transaction.state.log.num.partitions': 3,
    'share.coordinator.state.topic.replication.factor': n,
    'share.coordinator.state.topic.min.isr': minIsr,
    'group.initial.rebalance.delay.ms': 0,
    'log.segment.bytes': 16 * 1024 * 1024,
    'log.retention.hours': 24,
    'num.network.threads': 2,
    'num.io.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
    'delete.topic.enable': true,
    // after a kill -9 the restarted node can register once the old session expired (default 9 s)
    'broker.session.timeout.ms': 6000,
    // move leadership back to preferred replicas soon after a node restarts (failover tests)
    'leader.imbalance.check.interval.seconds': 5,
    ...(cluster.secure && users ? secureProperties(cluster.secure, users, node) : {}),
  };
  return `# generated by scripts/kafka — edits are overwritten on start\n${Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

/** log4j2 config: server.log (everything INFO+) and controller.log / state-change.log. @param {NodeLayout} node */
export function log4j2Xml(node) {
  const file = (/** @type {string} */ name, /** @type {string} */ base) =>
    `    <RollingFile name="${name}" fileName="${join(node.logDir, base)}.log" filePattern="${join(node.logDir, base)}.log.%i">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy max="2"/>
    </RollingFile>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
${file('Server', 'server')}
${file('Controller', 'controller')}
${file('StateChange', 'state-change')}
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="Server"/></Root>
    <Logger name="org.apache.kafka.controller" level="INFO" additivity="false"><AppenderRef ref="Controller"/></Logger>
    <Logger name="state.change.logger" level="INFO" additivity="false"><AppenderRef ref="StateChange"/></Logger>
    <Logger name="org.apache.kafka" level="INFO"/>
    <Logger name="kafka" level="INFO"/>
  </Loggers>
</Configuration>
`;
}
