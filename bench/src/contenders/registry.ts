import type { Contender } from './contender.js';

/** The contenders, in the order the tables list them. */
export const CONTENDER_IDS = [
  'vrpc',
  'vrpc-signed',
  'vrpc-otel',
  'vrpc-platformatic',
  'vrpc-nats',
  'vrpc-rabbitmq',
  'nest-kafka',
  'grpc',
  'raw-kafka',
  'raw-kafka-vrpc-wire',
  'raw-kafka-otel',
  'raw-platformatic',
] as const;
export type ContenderId = (typeof CONTENDER_IDS)[number];

/** How each contender is named in output. */
export const CONTENDER_LABELS: Record<ContenderId, string> = {
  vrpc: 'vRPC over Kafka',
  'vrpc-signed': 'vRPC, signed envelopes',
  'vrpc-otel': 'vRPC + OpenTelemetry SDK',
  'vrpc-platformatic': 'vRPC over @platformatic/kafka',
  'vrpc-nats': 'vRPC over NATS JetStream',
  'vrpc-rabbitmq': 'vRPC over RabbitMQ',
  'nest-kafka': 'Nest ClientKafka → ServerKafka',
  grpc: 'Nest gRPC (direct)',
  'raw-kafka': 'raw kafkajs (floor)',
  'raw-kafka-vrpc-wire': 'raw kafkajs, vRPC wire format',
  'raw-kafka-otel': 'raw kafkajs + OpenTelemetry SDK',
  'raw-platformatic': 'raw @platformatic/kafka (floor)',
};

// Loaded on demand: a child process imports only its own contender, so its RSS is its own.
const loaders: Record<ContenderId, () => Promise<Contender>> = {
  vrpc: async () => (await import('./vrpc/vrpc.contender.js')).vrpcContender,
  'vrpc-signed': async () => (await import('./vrpc/vrpc.contender.js')).vrpcSignedContender,
  'vrpc-otel': async () => (await import('./vrpc/vrpc.contender.js')).vrpcOtelContender,
  'vrpc-platformatic': async () => (await import('./vrpc/vrpc.contender.js')).vrpcPlatformaticContender,
  'vrpc-nats': async () => (await import('./vrpc/vrpc.contender.js')).vrpcNatsContender,
  'vrpc-rabbitmq': async () => (await import('./vrpc/vrpc.contender.js')).vrpcRabbitmqContender,
  'nest-kafka': async () => (await import('./nest-kafka/nest-kafka.contender.js')).nestKafkaContender,
  grpc: async () => (await import('./grpc/grpc.contender.js')).grpcContender,
  'raw-kafka': async () => (await import('./raw-kafka/raw-kafka.contender.js')).rawKafkaContender,
  'raw-kafka-vrpc-wire': async () => (await import('./raw-kafka/raw-kafka.contender.js')).rawKafkaVrpcWireContender,
  'raw-kafka-otel': async () => (await import('./raw-kafka/raw-kafka.contender.js')).rawKafkaOtelContender,
  'raw-platformatic': async () => (await import('./raw-platformatic/raw-platformatic.contender.js')).rawPlatformaticContender,
};

export function isContenderId(value: string): value is ContenderId {
  return (CONTENDER_IDS as readonly string[]).includes(value);
}

export function loadContender(id: ContenderId): Promise<Contender> {
  return loaders[id]();
}
