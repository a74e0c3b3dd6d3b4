import { createBus, type VrpcBusConfig } from '@vrpc/nestjs';
import { natsBacklog } from './backlog.js';
import { describeBusConformance } from '@vrpc/nestjs/testing';
import { TS_NODE_ARGS } from '../support/ts-node-args.js';
import { deleteNatsStreams } from './cleanup.js';
import { describeVrpcOnBus } from './vrpc-on-bus.js';

const servers = process.env.VRPC_NATS_SERVERS ?? '127.0.0.1:4222';
const [host, port] = servers.split(',')[0].split(':');
// A short ack wait, so that the crash test sees a dead member's messages again quickly.
const nats: VrpcBusConfig & { type: 'nats' } = { type: 'nats', servers, ackWaitMs: 3_000, retryDelayMs: 200, fetchExpiresMs: 1_000 };

describeBusConformance({
  name: 'NATS JetStream',
  create: () => createBus(nats),
  keepsMessagesBeforeFirstMember: true,
  keepsMessagesWhileGroupAway: true,
  crash: { options: nats, redeliveryWithinMs: 15_000, nodeArgs: TS_NODE_ARGS },
  throughProxy: {
    host,
    port: Number(port),
    create: (proxyPort) => createBus({ ...nats, servers: `127.0.0.1:${proxyPort}` }),
  },
  backlog: (group, topic) => natsBacklog(servers, group, topic),
  cleanup: (created) => deleteNatsStreams(servers, created),
});

describeVrpcOnBus({
  name: 'NATS JetStream',
  options: () => ({ bus: nats }),
  create: () => createBus(nats),
  cleanup: (created) => deleteNatsStreams(servers, created),
});
