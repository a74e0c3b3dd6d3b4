import { createBus, type VrpcBusConfig } from '@vrpc/nestjs';
import { testBrokers } from '../support/kafka.js';
import { kafkaBacklog } from './backlog.js';
import { describeBusConformance } from '@vrpc/nestjs/testing';
import { TS_NODE_ARGS } from '../support/ts-node-args.js';
import { deleteKafkaTopics } from './cleanup.js';
import { describeVrpcOnBus } from './vrpc-on-bus.js';

// The same settings as kafkajs' config: the type is the one value that switches clients.
const config = (): VrpcBusConfig => ({ type: 'platformatic-kafka', brokers: testBrokers(), sessionTimeoutMs: 6_000 });

describeBusConformance({
  name: 'Kafka (@platformatic/kafka)',
  create: () => createBus(config()),
  waitMs: 30_000,
  keepsMessagesBeforeFirstMember: true,
  keepsMessagesWhileGroupAway: true,
  get crash() {
    return { options: config(), redeliveryWithinMs: 45_000, nodeArgs: TS_NODE_ARGS };
  },
  backlog: kafkaBacklog,
  cleanup: deleteKafkaTopics,
});

describeVrpcOnBus({
  name: 'Kafka (@platformatic/kafka)',
  options: () => ({ bus: config() }),
  create: () => createBus(config()),
  cleanup: deleteKafkaTopics,
});
