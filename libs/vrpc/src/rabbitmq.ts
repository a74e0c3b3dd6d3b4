// `@vrpc/nestjs/rabbitmq`: the RabbitMQ bus. Needs `amqplib`, loaded when the bus connects.
export { RabbitMqBus } from './bus/rabbitmq/rabbitmq.bus.js';
export type { RabbitMqBusOptions } from './bus/rabbitmq/rabbitmq-bus-options.interface.js';
