import { Kafka, logLevel } from 'kafkajs';

/** A committed position that went down: the group would re-read (and re-run) what lay between. */
export interface BackwardCommit {
  partition: number;
  from: number;
  to: number;
}

/** A commit record of `__consumer_offsets`: key version 0/1 is an offset commit. */
function decodeCommit(key: Buffer, value: Buffer | null): { group: string; topic: string; partition: number; offset: number } | undefined {
  if (key.readInt16BE(0) > 1 || value === null) return undefined;
  let at = 2;
  const text = () => {
    const length = key.readInt16BE(at);
    const read = key.toString('utf8', at + 2, at + 2 + length);
    at += 2 + length;
    return read;
  };
  const group = text();
  const topic = text();
  const partition = key.readInt32BE(at);
  // Every value version starts with int16 version, int64 offset.
  return { group, topic, partition, offset: Number(value.readBigInt64BE(2)) };
}

/**
 * Reads every commit a consumer group makes to one topic while a scenario runs, from the
 * broker's own commit log (`__consumer_offsets`), and records each one that moves a partition's
 * committed offset backwards. Reading the log, not polling the group, sees every commit.
 */
export class GroupCommitWatch {
  readonly backwards: BackwardCommit[] = [];
  private readonly last = new Map<number, number>();
  private readonly consumer;
  commits = 0;

  constructor(
    brokers: string[],
    private readonly group: string,
    private readonly topic: string,
  ) {
    const kafka = new Kafka({ clientId: 'vrpc-commit-watch', brokers, logLevel: logLevel.NOTHING });
    this.consumer = kafka.consumer({ groupId: `vrpc-commit-watch.${group}`, maxWaitTimeInMs: 100 });
  }

  /** Resolves once the commit log is being read (from its end: only commits made from now on count). */
  async start(): Promise<void> {
    const joined = new Promise<void>((resolve) => this.consumer.on(this.consumer.events.GROUP_JOIN, () => resolve()));
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: ['__consumer_offsets'], fromBeginning: false });
    await this.consumer.run({
      eachMessage: ({ message }) => {
        if (message.key) this.record(decodeCommit(message.key, message.value));
        return Promise.resolve();
      },
    });
    await joined;
  }

  /** Stops reading and returns the moves backwards seen. */
  async stop(): Promise<BackwardCommit[]> {
    await this.consumer.disconnect();
    return this.backwards;
  }

  private record(commit: ReturnType<typeof decodeCommit>): void {
    if (!commit || commit.group !== this.group || commit.topic !== this.topic) return;
    this.commits++;
    const before = this.last.get(commit.partition);
    if (before !== undefined && commit.offset < before)
      this.backwards.push({ partition: commit.partition, from: before, to: commit.offset });
    this.last.set(commit.partition, commit.offset);
  }
}

/** Messages on a topic (the sum of its partitions' high watermarks minus their low ones). */
export async function messagesOn(brokers: string[], topic: string): Promise<number> {
  const admin = new Kafka({ clientId: 'vrpc-topic-count', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
  } finally {
    await admin.disconnect();
  }
}
