import type * as PlatformaticKafka from '@platformatic/kafka';
import { loadBusPackage } from '../core/optional-package.js';

/** `@platformatic/kafka`, loaded on first use. */
export type PlatformaticKafkaModule = typeof PlatformaticKafka;

/** Loads `@platformatic/kafka`, or says to install it. */
export function loadPlatformaticKafka(): Promise<PlatformaticKafkaModule> {
  return loadBusPackage('platformatic-kafka', ['@platformatic/kafka'], () => import('@platformatic/kafka'));
}
