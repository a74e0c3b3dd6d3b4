#!/usr/bin/env node
// Local Kafka for development and tests. See scripts/kafka/README.md.
//   node scripts/kafka.mjs start|stop|status|reset [--nodes 3] [--node i] [--fresh] [--secure]
import { parseArgs } from 'node:util';
import { kafkaStatus, resetKafka, startKafka, stopKafka } from './kafka/index.mjs';

const USAGE = `usage: node scripts/kafka.mjs <start|stop|status|reset> [--nodes N] [--node i] [--fresh] [--secure]
  start   start (or reuse) the broker(s) and wait until ready
  stop    stop the broker(s); with --node only that node of the cluster
  status  print running/stopped and the brokers; exit 0 if all nodes answer, else 1
  reset   stop and delete data + logs (same as start --fresh without starting)
  --nodes N   1 (default, "single" on 19092) or N combined broker+controllers ("clusterN" on 19192..)
  --node i    only node i (1-based) of the cluster, for failover tests
  --fresh     wipe the cluster's data before starting
  --secure    the SASL_SSL (SCRAM-SHA-512) + ACL broker ("secure" on 19392): new CA at start, users in <run>/secure/users.json`;

/** @param {string | undefined} value @param {string} name */
function int(value, name) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      nodes: { type: 'string' },
      node: { type: 'string' },
      fresh: { type: 'boolean', default: false },
      secure: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...extra] = positionals;
  if (values.help || !command || extra.length > 0) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const nodes = int(values.nodes, 'nodes') ?? 1;
  const node = int(values.node, 'node');
  const secure = values.secure;
  switch (command) {
    case 'start': {
      const { security } = await startKafka({ nodes, node, fresh: values.fresh, secure });
      if (security)
        console.log(
          `SASL_SSL ${security.mechanism}: CA ${security.caFile}; users ${Object.keys(security.users).join(', ')} (passwords in users.json)`,
        );
      return 0;
    }
    case 'stop':
      await stopKafka({ nodes, node, secure });
      return 0;
    case 'reset':
      await resetKafka({ nodes, secure });
      return 0;
    case 'status': {
      const status = await kafkaStatus({ nodes, secure });
      for (const n of status.nodes) {
        const pid = 'pid' in n && n.pid !== undefined ? ` pid ${n.pid}` : '';
        console.log(`node ${n.id} ${n.address}: ${n.answering ? 'up' : 'down'}${pid}`);
      }
      const total = status.nodes.length;
      if (status.running) console.log(`running: ${status.brokers.join(',')}`);
      else if (status.brokers.length > 0) console.log(`degraded: ${status.brokers.length}/${total} up (${status.brokers.join(',')})`);
      else console.log('stopped');
      return status.running ? 0 : 1;
    }
    default:
      console.error(`unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
