import type * as PlatformaticKafka from '@platformatic/kafka';
import { loadOptionalPackage } from '../../utils/optional-package.js';

/** `@platformatic/kafka`, loaded on first use. */
export type PlatformaticKafkaModule = typeof PlatformaticKafka;

/** Loads `@platformatic/kafka`, or says to install it. */
export function loadPlatformaticKafka(): Promise<PlatformaticKafkaModule> {
  return loadOptionalPackage('the "platformatic-kafka" bus', ['@platformatic/kafka'], () => import('@platformatic/kafka'));
}
