import type * as Amqp from 'amqplib';
import { loadBusPackage } from '../core/optional-package.js';

/** amqplib, loaded on first use. */
export type AmqpModule = typeof Amqp;

/** Loads `amqplib`, or says to install it. */
export function loadAmqp(): Promise<AmqpModule> {
  return loadBusPackage('rabbitmq', ['amqplib'], () => import('amqplib'));
}
