import { randomUUID } from 'node:crypto';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { inject } from 'vitest';

/** The brokers of this test run. */
export const testBrokers = (): string[] => inject('kafkaBrokers');

/** A name no other test uses, for topics and groups. */
export const uniqueName = (prefix: string): string => `${prefix}.${randomUUID().slice(0, 8)}`;

/** A kafkajs client for checks made around the code under test. */
export const testKafka = (): Kafka => new Kafka({ clientId: 'vrpc-test', brokers: testBrokers(), logLevel: logLevel.NOTHING });

/** Runs `work` with a connected admin client of `testKafka()`, and disconnects it afterwards. */
export async function withTestAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

export { waitFor } from './wait-for.js';
