import { createBus, type VrpcBusConfig } from '@vrpc/nestjs';
import { afterAll, describe, expect, it } from 'vitest';
import { rabbitMqBacklog } from './backlog.js';
import { describeBusConformance } from '@vrpc/nestjs/testing';
import { TS_NODE_ARGS } from '../support/ts-node-args.js';
import { deleteRabbitMqTopology } from './cleanup.js';
import { uniqueName } from './conformance-support.js';
import { describeVrpcOnBus } from './vrpc-on-bus.js';

const url = process.env.VRPC_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const { hostname, port } = new URL(url);
const rabbitmq: VrpcBusConfig & { type: 'rabbitmq' } = { type: 'rabbitmq', url, retryDelayMs: 200, reconnectMaxDelayMs: 1_000 };

describeBusConformance({
  name: 'RabbitMQ',
  create: () => createBus(rabbitmq),
  // An exchange keeps nothing: a topic's messages exist only in the queues of groups that subscribed once.
  keepsMessagesBeforeFirstMember: false,
  keepsMessagesWhileGroupAway: true,
  crash: { options: rabbitmq, redeliveryWithinMs: 15_000, nodeArgs: TS_NODE_ARGS },
  throughProxy: {
    host: hostname,
    port: Number(port || 5672),
    create: (proxyPort) => createBus({ ...rabbitmq, url: url.replace(`:${port || 5672}`, `:${proxyPort}`) }),
  },
  backlog: (group, topic) => rabbitMqBacklog(url, group, topic),
  cleanup: (created) => deleteRabbitMqTopology(url, created),
});

describe('RabbitMQ bus: what differs from Kafka', () => {
  const bus = createBus(rabbitmq);
  const topics = new Set<string>();

  afterAll(async () => {
    await bus.close();
    await deleteRabbitMqTopology(url, { topics, subscriptions: [] });
  });

  it('fails a publish to a topic no group has subscribed to, instead of dropping it', async () => {
    const topic = uniqueName('conf');
    topics.add(topic);
    await bus.ensureTopics([{ topic, partitions: 1 }]);
    await expect(bus.publish([{ topic, value: Buffer.from('nobody listens') }])).rejects.toThrow(/no consumer group/);
  });

  it('fails a publish to a topic that was never provisioned, naming it', async () => {
    const topic = uniqueName('conf');
    await expect(bus.publish([{ topic, value: Buffer.from('x') }])).rejects.toThrow(new RegExp(`${topic}.*ensureTopics`));
    // The channel the broker closed over it is replaced: the next publish works.
    const fine = uniqueName('conf');
    topics.add(fine);
    await bus.ensureTopics([{ topic: fine, partitions: 1 }]);
    await bus.publish([{ topic: fine, partition: 1, value: Buffer.from('to an address nobody reads') }]);
  });
});

describeVrpcOnBus({
  name: 'RabbitMQ',
  options: () => ({ bus: rabbitmq }),
  create: () => createBus(rabbitmq),
  cleanup: (created) => deleteRabbitMqTopology(url, created),
});
