import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { inject } from 'vitest';

/** The brokers of this test run. */
export const testBrokers = (): string[] => inject('kafkaBrokers');

/** A name no other test uses, for topics and groups. */
export const uniqueName = (prefix: string): string => `${prefix}.${randomUUID().slice(0, 8)}`;

/** A kafkajs client for checks made around the code under test. */
export const testKafka = (): Kafka =>
  new Kafka({ clientId: 'vrpc-test', brokers: testBrokers(), logLevel: logLevel.NOTHING });

export { waitFor } from './wait-for.js';
