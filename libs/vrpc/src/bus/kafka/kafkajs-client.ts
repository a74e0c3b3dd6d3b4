import type * as Kafkajs from 'kafkajs';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { loadOptionalPackage } from '../../utils/optional-package.js';
import { registerKafkajsCodecs } from './kafkajs-codecs.js';

/** kafkajs, loaded on first use. */
export type KafkajsModule = typeof Kafkajs;

/** What the Kafka bus opens on `connect()`, shared by its subscriptions and inboxes. */
export interface KafkaClients {
  kafkajs: KafkajsModule;
  kafka: Kafka;
  producer: Producer;
  admin: Admin;
}

/** Loads `kafkajs`, or says to install it, and registers the codecs it lacks (once). */
export async function loadKafkajs(): Promise<KafkajsModule> {
  const kafkajs = await loadOptionalPackage('the "kafka" bus', ['kafkajs'], () => import('kafkajs'));
  await registerKafkajsCodecs(kafkajs);
  return kafkajs;
}
