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

/** Resolves when `condition` holds, polling every 20 ms; rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
