// The public API of `@vrpc/nestjs`, by layer. Anything not exported here (or from a subpath
// entry next to this file) is internal and may change in any release; `api/*.api.md` is the
// committed report of what is public, checked in CI (`npm run api:check`).
//
// Optional parts live in subpath entries, so their names say what they need:
// `@vrpc/nestjs/nats`, `/rabbitmq`, `/platformatic-kafka` (the bus classes, whose client
// packages are optional peers), `/gateway`, `/interceptor`, `/testing` and `/protocol` (the wire
// format, for tools and other implementations). The root exports the settings types of every
// built-in bus, since `bus: { type: 'nats', … }` is configured here, but not their classes.

// Module: registration, injection tokens and decorators.
export type { VrpcModuleOptions, VrpcNamedClientOptions } from './module/vrpc-options.interface.js';
export type { VrpcBusProvider, VrpcModuleExtras } from './module/vrpc.module-definition.js';
export { getVrpcClientToken, InjectVrpcClient, VrpcModule } from './module/vrpc.module.js';
export { VRPC_BUS, VRPC_TASK_STORE } from './module/vrpc.tokens.js';
export type { VrpcProtoOptions } from './protocol/proto-options.interface.js';

// Client: calls over the bus, with optional fallback to direct gRPC.
export { VrpcClient } from './client/vrpc-client.js';
export type { VrpcClientConfig, VrpcClientOptions } from './client/client-options.interface.js';
export type { VrpcCallOptions } from './client/call-options.interface.js';
export type { VrpcFallbackRoute } from './client/fallback-route.interface.js';
export type { RawReply } from './client/raw-reply.interface.js';
export type {
  VrpcStreamCallOptions,
  VrpcStreamHandle,
  VrpcStreamListener,
  VrpcStreamOpening,
  VrpcStreamStatus,
} from './client/stream-handle.interface.js';
export { CallType } from './protocol/stream-frame.js';
export type { VrpcStreamOptions } from './streaming/stream-options.interface.js';
export type { VrpcHeaderSet } from './protocol/wire-headers.js';

// Server: a Nest microservice strategy that serves `@GrpcMethod` handlers from the bus.
export { VrpcServer } from './server/vrpc-server.js';
export type { VrpcServerConfig, VrpcServerOptions } from './server/server-options.interface.js';
export type { VrpcRequestLimits, VrpcServingOptions } from './serving/serving-options.interface.js';
export type { SubscriptionHealth, VrpcHealthOptions, VrpcHealthReport } from './serving/serving-health.js';

// Context: what a handler can learn about the call it serves.
export { VrpcContext, type VrpcCallState, type VrpcTaskInfo } from './server/vrpc.context.js';
export type { CallerIdentity } from './serving/request-executor.interface.js';
export { VRPC_PATH_METADATA, VRPC_TASK_KEY_METADATA } from './protocol/vrpc.constants.js';

// Errors: a failed call (grpc-js shaped), a configuration mistake, a bus failure, a missing package.
export { VrpcCallError } from './errors/vrpc-call.error.js';
export { VrpcConfigError } from './errors/vrpc-config.error.js';
export { VrpcBusError } from './errors/vrpc-bus.error.js';
export { VrpcPublishError, type PublishFailureReason } from './errors/vrpc-publish.error.js';
export { MissingPackageError } from './errors/missing-package.error.js';

// Buses: choosing one, the default Kafka bus, and the settings of every built-in.
export { createBus } from './bus/create-bus.js';
export type { MemoryBusOptions, VrpcBusConfig, VrpcBusName, VrpcBusOption, VrpcBusSettings } from './bus/bus-config.interface.js';
export { KafkaBus } from './bus/kafka/kafka.bus.js';
export type { KafkaCommonOptions, KafkaCompression } from './bus/kafka-common/kafka-common-options.interface.js';
export type { KafkaBusOptions } from './bus/kafka/kafka-bus-options.interface.js';
export type { NatsBusOptions } from './bus/nats/nats-bus-options.interface.js';
export type { RabbitMqBusOptions } from './bus/rabbitmq/rabbitmq-bus-options.interface.js';
export type { PlatformaticKafkaBusOptions } from './bus/platformatic-kafka/platformatic-kafka-bus-options.interface.js';

// Bus contract, and the helpers docs/plugins/writing-a-plugin.md gives plugin authors.
export type {
  BusCapabilities,
  BusHeaders,
  BusHealth,
  BusInbox,
  BusSubscription,
  IncomingMessage,
  InboxAddress,
  InboxOptions,
  InboxScope,
  MessageHandler,
  OutgoingMessage,
  PartitionLag,
  SubscribeOptions,
  SubscriptionState,
  TopicSpec,
  VrpcBus,
} from './bus/bus.interface.js';
export { inboxPartition } from './bus/core/inbox-partition.js';
export { loadOptionalPackage } from './utils/optional-package.js';

// Topic names: where a service's requests, the replies and set-aside requests go.
export type { VrpcTopicOptions } from './protocol/topic-options.interface.js';

// Security: signed envelopes (HMAC-SHA256 with key ids for rotation), shared by client, server and gateway.
export type { VrpcKeyRing, VrpcKeys, VrpcSecurityOptions } from './protocol/security-options.interface.js';
export { deadLetterTopic, replyTopic, requestTopic } from './protocol/topic-names.js';

// Tasks: task-level singletons and the stores that coordinate them.
export { VrpcTask } from './task/vrpc-task.decorator.js';
export { taskStoreKey } from './task/task-store-key.js';
export type { VrpcTaskOptions, VrpcTasksOptions } from './task/task-options.interface.js';
export type { LeaseGrant, StoredTaskResult, TaskStore } from './task/task-store.interface.js';
export type { MetadataEntry } from './protocol/envelope.js';
export { MemoryTaskStore } from './task/memory-task.store.js';
export { RedisTaskStore, type RedisTaskStoreOptions } from './task/redis-task.store.js';
export type { VrpcServerStreamOptions } from './streaming/stream-options.interface.js';
