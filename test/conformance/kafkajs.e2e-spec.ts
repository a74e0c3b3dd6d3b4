import { createBus, type VrpcModuleOptions } from '@vrpc/nestjs';
import { testBrokers } from '../support/kafka.js';
import { kafkaBacklog } from './backlog.js';
import { describeBusConformance } from './bus-conformance.js';
import { deleteKafkaTopics } from './cleanup.js';
import { kafkaRawTopics } from './kafka-raw-topics.js';
import { describeVrpcOnBus } from './vrpc-on-bus.js';

// The broker's minimum session timeout, so that a crashed member's partitions move quickly.
const kafka = (): NonNullable<VrpcModuleOptions['kafka']> => ({ brokers: testBrokers(), sessionTimeoutMs: 6_000 });

describeBusConformance({
  name: 'Kafka (kafkajs)',
  create: () => createBus({ bus: 'kafka', kafka: kafka() }),
  waitMs: 30_000,
  keepsMessagesBeforeFirstMember: true,
  keepsMessagesWhileGroupAway: true,
  get crash() {
    return { options: { bus: 'kafka', kafka: kafka() }, redeliveryWithinMs: 45_000 };
  },
  backlog: kafkaBacklog,
  cleanup: deleteKafkaTopics,
});

describeVrpcOnBus({
  name: 'Kafka (kafkajs)',
  options: () => ({ bus: 'kafka', kafka: kafka() }),
  create: () => createBus({ bus: 'kafka', kafka: kafka() }),
  raw: kafkaRawTopics,
  cleanup: deleteKafkaTopics,
});
