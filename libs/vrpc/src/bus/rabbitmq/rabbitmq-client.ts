import type * as Amqp from 'amqplib';
import { loadOptionalPackage } from '../../utils/optional-package.js';

/** amqplib, loaded on first use. */
export type AmqpModule = typeof Amqp;

/** Loads `amqplib`, or says to install it. */
export function loadAmqp(): Promise<AmqpModule> {
  return loadOptionalPackage('the "rabbitmq" bus', ['amqplib'], () => import('amqplib'));
}
