/** Headers of a bus message: string values only, so every broker can carry them. */
export type BusHeaders = Record<string, string>;

/** A message to publish. */
export interface OutgoingMessage {
  topic: string;
  value: Buffer;
  /** Routing key: messages with one key keep their order. */
  key?: string;
  /** Explicit partition (reply routing); overrides the key. */
  partition?: number;
  headers?: BusHeaders;
}

/** A message received from a subscription. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  /** Position in its partition, as a decimal string. */
  offset: string;
  key: string | null;
  value: Buffer;
  headers: BusHeaders;
  /**
   * How many times this message has been handed out, this time included, where the bus can
   * tell (`capabilities.deliveryCount`; absent means 1). Lets a server set aside a message that
   * crashes every process.
   */
  deliveryCount?: number;
  /**
   * Set when the bus could not read the batch this message stands for (a compression codec it
   * lacks, corrupt compressed bytes): the reason, with the batch's offsets. `value` then holds
   * the batch's raw bytes where the bus has them (else it is empty), and `offset` is the batch's
   * last offset, so that acknowledging it moves past the whole batch.
   */
  unreadable?: string;
}

/**
 * Handles one delivered message. Resolving acknowledges it; the bus may commit past it only
 * when every earlier message of the partition is acknowledged too. Rejecting leaves it
 * unacknowledged (it is redelivered after a restart or rebalance).
 */
export type MessageHandler = (message: IncomingMessage) => Promise<void>;

/** Options of a competing-consumers subscription. */
export interface SubscribeOptions {
  topics: string[];
  /** Consumer group: each message goes to one member of it. */
  group: string;
  /** Messages handled at once by this member (all partitions together). */
  concurrency: number;
  /** Messages that share a key are handled one after another. */
  orderByKey?: boolean;
  /**
   * Longest `close()` waits for messages in flight, in ms (default 10 000); those unfinished
   * then are left unacknowledged, to be redelivered.
   */
  drainTimeoutMs?: number;
}

/** Messages a consumer is behind on one partition (or queue) it reads. */
export interface PartitionLag {
  topic: string;
  partition: number;
  /**
   * High watermark minus the committed offset (a subscription), or minus the next offset to be
   * read (an inbox); on brokers without offsets, the messages waiting for this consumer.
   */
  lag: number;
}

/** Whether a subscription is taking messages (for health checks). */
export interface SubscriptionState {
  /** Joined and fetching, or waiting for messages: not stopped, not restarting after a crash. */
  consuming: boolean;
  /** Restarts after the consumer crashed, since the subscription was made. */
  restarts: number;
  /** The last error that stopped or restarted the consumer, as text. */
  lastError?: string;
}

/** A live subscription. */
export interface BusSubscription {
  /** Lag of the group on each partition this member knows of (all partitions of its topics where the bus can tell). */
  lag?(): Promise<PartitionLag[]>;
  /** Whether it is consuming. */
  state?(): SubscriptionState;
  /**
   * Stops taking messages, waits for those in flight (at most `drainTimeoutMs`), acknowledges
   * those finished, leaves the group.
   */
  close(): Promise<void>;
}

/** Where replies for one instance are to be sent. */
export interface InboxAddress {
  topic: string;
  partition?: number;
}

/**
 * Which replies an inbox reads: `own-partition`, the one partition its address names (shared
 * with few other instances); `whole-topic`, every partition of the reply topic, for topologies
 * with one fixed response topic whose server writes replies on any partition (the original
 * vRPC's). A whole-topic inbox's address names no partition. Only Kafka buses read whole topics.
 */
export type InboxScope = 'own-partition' | 'whole-topic';

/** How an inbox is opened. */
export interface InboxOptions {
  /** Default `own-partition`. */
  scope?: InboxScope;
}

/** A private inbox that receives the replies addressed to it. */
export interface BusInbox {
  readonly address: InboxAddress;
  /** Lag of this inbox on what it reads. */
  lag?(): Promise<PartitionLag[]>;
  close(): Promise<void>;
}

/** A topic that vRPC wants to exist. */
export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor?: number;
}

/** Result of a health check. */
export interface BusHealth {
  healthy: boolean;
  details?: string;
}

/**
 * What a bus can do beyond the contract every bus keeps. Features that need a capability do not
 * apply on a bus that lacks it; the server and the gateway say so once when they start, and the
 * conformance suite runs the tests of a capability only where it is declared.
 */
export interface BusCapabilities {
  /**
   * Sets `IncomingMessage.deliveryCount` on the messages of a subscription, counting the
   * deliveries that ended in a crash of the member that took it (what `maxDeliveries` needs to
   * set a poison request aside).
   */
  readonly deliveryCount: boolean;
}

/**
 * The message bus plugin. Kafka (kafkajs) is the default; any broker that offers keyed
 * publishing, competing consumers with acknowledgement, and private inboxes can be one.
 */
export interface VrpcBus {
  /**
   * The broker, as OpenTelemetry's `messaging.system` names it (`kafka`, `rabbitmq`, `nats`;
   * `memory` for the in-memory bus); absent: `vrpc-bus`.
   */
  readonly system?: string;
  /** What this bus can do beyond the contract (may depend on its settings). */
  readonly capabilities: BusCapabilities;
  /**
   * Largest message the broker takes, in bytes of value, key and headers (absent: no known
   * limit). A client refuses a bigger request at once, a server turns a bigger reply into a
   * RESOURCE_EXHAUSTED error, and publish batches stay below it.
   */
  readonly maxMessageBytes?: number;
  connect(): Promise<void>;
  close(): Promise<void>;
  /**
   * Publishes messages; resolves when the broker has them. Rejects with a `VrpcPublishError`
   * that says whether the failure is final (too large, unknown address) or worth a retry.
   */
  publish(messages: OutgoingMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<BusSubscription>;
  /**
   * Opens an inbox for `instanceId`; resolves once messages sent to it cannot be missed. A bus
   * that cannot read the `scope` asked for rejects with a `VrpcConfigError`.
   */
  openInbox(instanceId: string, topic: string, handler: MessageHandler, options?: InboxOptions): Promise<BusInbox>;
  /** Creates missing topics; existing ones are left as they are. */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  health(): Promise<BusHealth>;
}
