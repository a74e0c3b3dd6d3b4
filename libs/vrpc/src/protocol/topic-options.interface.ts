/** How topic names are chosen. */
export interface VrpcTopicOptions {
  /** Prefix of a service's request topic (default `vrpc.req.`); the rest is `package.Service`. */
  requestPrefix?: string;
  /** Explicit request topic per fully-qualified service name. */
  requests?: Record<string, string>;
  /** Shared reply topic (default `vrpc.replies`). */
  replies?: string;
  /** Dead-letter topic for unreadable requests (default `vrpc.dead-letter`). */
  deadLetter?: string;
  /** Partitions of request topics created by vRPC (default 8). */
  requestPartitions?: number;
  /** Partitions of the reply topic created by vRPC (default 16). */
  replyPartitions?: number;
  /** Topic of the servers' stream inboxes, where a streaming call's later frames go (default `vrpc.streams`). */
  streams?: string;
  /** Partitions of the streams topic created by vRPC (default 16). */
  streamPartitions?: number;
  /** Replication factor of topics created by vRPC (default: the broker's default). */
  replicationFactor?: number;
}
