/**
 * The attribute and instrument names vRPC writes: OpenTelemetry's semantic conventions for RPC
 * (release candidate, `rpc.system.name` era) and messaging, and `vrpc.*` for what they do not
 * name. docs/observability.md lists each with its unit.
 */
export const ATTR = {
  rpcSystem: 'rpc.system.name',
  rpcMethod: 'rpc.method',
  rpcStatus: 'rpc.response.status_code',
  errorType: 'error.type',
  messagingSystem: 'messaging.system',
  destination: 'messaging.destination.name',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  conversationId: 'messaging.message.conversation_id',
  consumerGroup: 'messaging.consumer.group.name',
  partition: 'messaging.destination.partition.id',
  kafkaOffset: 'messaging.kafka.offset',
  kafkaKey: 'messaging.kafka.message.key',
  /** Seconds the request waited on the bus (from the caller's timestamp to the server taking it). */
  queueTime: 'vrpc.queue.duration',
  /** `bus` or `direct` (a fallback route). */
  path: 'vrpc.path',
  /** The call type of a streaming call: `server_stream`, `client_stream`, `bidi`. */
  callType: 'vrpc.call.type',
  /** Why a message was dropped or dead-lettered. */
  reason: 'vrpc.reason',
  /** Who observes a lag: `server` (a request topic's group) or `client` (a reply inbox). */
  role: 'vrpc.role',
} as const;

/** Instrument names (docs/observability.md). */
export const METRIC = {
  clientDuration: 'rpc.client.call.duration',
  serverDuration: 'rpc.server.call.duration',
  clientInFlight: 'vrpc.client.calls.in_flight',
  serverInFlight: 'vrpc.server.calls.in_flight',
  queueTime: 'vrpc.server.queue.duration',
  retries: 'vrpc.client.publish.retries',
  duplicates: 'vrpc.server.duplicates',
  expired: 'vrpc.server.expired',
  deadLetters: 'vrpc.server.dead_letters',
  droppedReplies: 'vrpc.client.replies.dropped',
  droppedFrames: 'vrpc.server.frames.dropped',
  lag: 'vrpc.consumer.lag',
} as const;

/** The instrumentation scope: the package's name. */
export const SCOPE = '@vrpc/nestjs';

/** `rpc.system.name` of every vRPC call: it is gRPC, carried over a bus. */
export const RPC_SYSTEM = 'grpc';
