import { createBus, type VrpcBusConfig } from '@vrpc/nestjs';
import { testBrokers } from '../support/kafka.js';
import { kafkaBacklog } from './backlog.js';
import { describeBusConformance } from '@vrpc/nestjs/testing';
import { TS_NODE_ARGS } from '../support/ts-node-args.js';
import { deleteKafkaTopics } from './cleanup.js';
import { kafkaRawTopics } from './kafka-raw-topics.js';
import { describeVrpcOnBus } from './vrpc-on-bus.js';

// The broker's minimum session timeout, so that a crashed member's partitions move quickly.
const kafka = (): VrpcBusConfig => ({ type: 'kafka', brokers: testBrokers(), sessionTimeoutMs: 6_000 });

describeBusConformance({
  name: 'Kafka (kafkajs)',
  create: () => createBus(kafka()),
  waitMs: 30_000,
  keepsMessagesBeforeFirstMember: true,
  keepsMessagesWhileGroupAway: true,
  get crash() {
    return { options: kafka(), redeliveryWithinMs: 45_000, nodeArgs: TS_NODE_ARGS };
  },
  backlog: kafkaBacklog,
  cleanup: deleteKafkaTopics,
});

describeVrpcOnBus({
  name: 'Kafka (kafkajs)',
  options: () => ({ bus: kafka() }),
  create: () => createBus(kafka()),
  raw: kafkaRawTopics,
  cleanup: deleteKafkaTopics,
});
