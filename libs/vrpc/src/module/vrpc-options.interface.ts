import type { VrpcBus } from '../bus/bus.interface.js';
import type { KafkaBusOptions } from '../bus/kafka/kafka-bus-options.interface.js';
import type { NatsBusOptions } from '../bus/nats/nats-bus-options.interface.js';
import type { PlatformaticKafkaBusOptions } from '../bus/platformatic-kafka/platformatic-kafka-bus-options.interface.js';
import type { RabbitMqBusOptions } from '../bus/rabbitmq/rabbitmq-bus-options.interface.js';
import type { VrpcFallbackRoute } from '../client/fallback-route.interface.js';
import type { VrpcTasksOptions } from '../task/task-options.interface.js';
import type { VrpcProtoOptions } from '../protocol/proto-options.interface.js';
import type { VrpcTopicOptions } from '../protocol/topic-options.interface.js';

/** The buses `createBus()` knows by name. */
export type VrpcBusName = 'kafka' | 'memory' | 'nats' | 'rabbitmq' | 'platformatic-kafka';

/** Options of `VrpcModule.forRoot()`, `new VrpcClient()` and `new VrpcServer()`. */
export interface VrpcModuleOptions {
  /** Service definitions (proto files and packages); a server needs them, a raw-only client does not. */
  protos?: VrpcProtoOptions | VrpcProtoOptions[];
  /**
   * The message bus: a plugin instance (e.g. injected into `forRootAsync`'s `useFactory`), or a
   * built-in by name: `kafka` (kafkajs, the default), `memory`, `nats` (JetStream), `rabbitmq`,
   * `platformatic-kafka`. Plugins other than Kafka and memory load their client package on connect.
   */
  bus?: VrpcBus | VrpcBusName;
  /** Settings of the Kafka buses (`kafka`, and brokers/acks/timeouts of `platformatic-kafka`). */
  kafka?: KafkaBusOptions;
  /** Settings of the `nats` bus (needs `@nats-io/transport-node` and `@nats-io/jetstream`). */
  nats?: NatsBusOptions;
  /** Settings of the `rabbitmq` bus (needs `amqplib`). */
  rabbitmq?: RabbitMqBusOptions;
  /** Settings of the `platformatic-kafka` bus beyond `kafka` (needs `@platformatic/kafka`). */
  platformaticKafka?: PlatformaticKafkaBusOptions;
  /** Topic naming and provisioning. */
  topics?: VrpcTopicOptions;
  /** Default deadline of a call in milliseconds (default 30 000). */
  timeoutMs?: number;
  /** Requests processed at once by one server (default 64). */
  concurrency?: number;
  /**
   * Deliveries after which a request that never finished (its server crashed each time) is
   * sent to the dead-letter topic instead of being run again (default 5; where the bus counts).
   */
  maxDeliveries?: number;
  /** Prefix of the server consumer group; the group is `<prefix><package.Service>` (default `vrpc.`). */
  groupPrefix?: string;
  /** Identifies this client in envelopes and reply groups (default: random). */
  clientId?: string;
  /** Fallback paths per `package.Service` (client side): see `VrpcFallbackRoute`. */
  fallback?: Record<string, VrpcFallbackRoute>;
  /** Task-level singletons: where leases and results live, default TTL and lease. */
  tasks?: VrpcTasksOptions;
}
