import type { TestProject } from 'vitest/node';
import { startKafka, stopKafka } from '../scripts/kafka/index.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
  }
}

/**
 * Starts the project's local Kafka unless `VRPC_KAFKA_BROKERS` points at one, and stops it
 * afterwards if this run started it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.VRPC_KAFKA_BROKERS?.split(',').filter(Boolean);
  if (external?.length) {
    project.provide('kafkaBrokers', external);
    return () => Promise.resolve();
  }
  const { brokers, started } = await startKafka({});
  project.provide('kafkaBrokers', brokers);
  return async () => {
    if (started) await stopKafka({});
  };
}
