import type * as PlatformaticKafka from '@platformatic/kafka';
import { loadOptionalPackage } from '../../utils/optional-package.js';
import { completePlatformaticCodecs } from './platformatic-codecs.js';

/** `@platformatic/kafka`, loaded on first use. */
export type PlatformaticKafkaModule = typeof PlatformaticKafka;

/** Loads `@platformatic/kafka`, or says to install it, and completes the codecs it reads (once). */
export async function loadPlatformaticKafka(): Promise<PlatformaticKafkaModule> {
  const kafka = await loadOptionalPackage('the "platformatic-kafka" bus', ['@platformatic/kafka'], () => import('@platformatic/kafka'));
  await completePlatformaticCodecs(kafka);
  return kafka;
}
