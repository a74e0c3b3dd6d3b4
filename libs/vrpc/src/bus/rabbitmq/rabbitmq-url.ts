import type { RabbitMqBusOptions } from './rabbitmq-bus-options.interface.js';

/** The URL from the options, else from `VRPC_RABBITMQ_URL`, else the local default. */
export function resolveRabbitMqUrl(options: RabbitMqBusOptions): string {
  return options.url ?? process.env.VRPC_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
}
