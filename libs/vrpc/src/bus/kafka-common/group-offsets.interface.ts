/** A group's commit of one partition: the next offset to read, and the metadata stored with it. */
export interface GroupCommit {
  topic: string;
  partition: number;
  /** `-1` when the group never committed the partition. */
  offset: string;
  metadata: string | null;
}

/** What delivery counting needs from a Kafka client, for one consumer group (kafkajs or @platformatic/kafka). */
export interface GroupOffsetsPort {
  /** The group's commits of the given partitions (others of their topics may come along). */
  fetchCommitted(partitions: Record<string, number[]>): Promise<GroupCommit[]>;
  /** The earliest offset of each partition of `topic`. */
  earliest(topic: string): Promise<Map<number, string>>;
  /** The low and high watermarks of each partition of `topic` (for lag). */
  watermarks(topic: string): Promise<Map<number, { low: string; high: string }>>;
  /** Commits offsets with their metadata, as the group's member in its current generation. */
  commitWithMetadata(commits: Array<GroupCommit & { metadata: string }>): Promise<void>;
}
