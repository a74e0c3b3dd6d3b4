import type * as Kafkajs from 'kafkajs';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { loadOptionalPackage } from '../../utils/optional-package.js';

/** kafkajs, loaded on first use. */
export type KafkajsModule = typeof Kafkajs;

/** What the Kafka bus opens on `connect()`, shared by its subscriptions and inboxes. */
export interface KafkaClients {
  kafkajs: KafkajsModule;
  kafka: Kafka;
  producer: Producer;
  admin: Admin;
}

/** Loads `kafkajs`, or says to install it. */
export function loadKafkajs(): Promise<KafkajsModule> {
  return loadOptionalPackage('the "kafka" bus', ['kafkajs'], () => import('kafkajs'));
}
