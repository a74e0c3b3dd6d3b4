// `@vrpc/nestjs/platformatic-kafka`: the Kafka bus on `@platformatic/kafka` instead of kafkajs,
// loaded when the bus connects.
export { PlatformaticKafkaBus } from './bus/platformatic-kafka/platformatic-kafka.bus.js';
export type { PlatformaticKafkaBusOptions } from './bus/platformatic-kafka/platformatic-kafka-bus-options.interface.js';
