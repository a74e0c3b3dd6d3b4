import type { BenchServer } from '../contender.js';
import { coalescingSender } from '../coalescing-sender.js';
import { RAW_TUNING } from '../raw-kafka/raw-kafka.tuning.js';
import type { RawPlatformaticConsumer, RawPlatformaticProducer } from './raw-platformatic.tuning.js';
import type { RawPlatformaticWire } from './raw-platformatic.wire.js';

export interface RawPlatformaticServerNames {
  requestTopic: string;
}

/** A request read, by where it sits in the request topic. */
interface Position {
  partition: number;
  offset: bigint;
}

/**
 * Commits each request partition up to the last request whose reply is on the broker, at most
 * once per interval (as the kafkajs floor's `commitOffsetsIfNecessary`), never per message.
 */
function intervalCommitter(consumer: RawPlatformaticConsumer, topic: string): (answered: Position[]) => Promise<void> {
  const pending = new Map<number, bigint>();
  let lastCommit = Date.now();
  return async (answered) => {
    for (const { partition, offset } of answered) if (offset >= (pending.get(partition) ?? -1n)) pending.set(partition, offset);
    if (pending.size === 0 || Date.now() - lastCommit < RAW_TUNING.autoCommitInterval) return;
    lastCommit = Date.now();
    const offsets = [...pending].map(([partition, offset]) => ({ topic, partition, offset: offset + 1n, leaderEpoch: -1 }));
    pending.clear();
    await consumer.commit({ offsets });
  };
}

/**
 * The floor's server: each request read is decoded and echoed; its reply goes out at once, or
 * with the others read while a produce is under way (the kafkajs floor answers each fetched
 * batch with one produce; this client hands over messages one by one, so the batch is made
 * here). Offsets are committed once their replies are on the broker, at most once per interval.
 */
export async function startRawPlatformaticServer(
  producer: RawPlatformaticProducer,
  consumer: RawPlatformaticConsumer,
  names: RawPlatformaticServerNames,
  wire: RawPlatformaticWire,
): Promise<BenchServer> {
  const commit = intervalCommitter(consumer, names.requestTopic);
  const reply = coalescingSender<{ message: ReturnType<RawPlatformaticWire['reply']>; read: Position }>(async (batch) => {
    await producer.send({ messages: batch.map((entry) => entry.message) });
    await commit(batch.map((entry) => entry.read));
  });
  // Resolves once the consumer has joined its group; the topic is fresh for the run, so from its beginning.
  const stream = await consumer.consume({ topics: [names.requestTopic], mode: 'earliest', autocommit: false });
  stream.on('data', (message: Parameters<RawPlatformaticWire['reply']>[0]) => {
    // A reply that cannot be sent ends the stream with its error, and the server process with it: the row fails, its calls do not just time out.
    reply({ message: wire.reply(message), read: { partition: message.partition, offset: message.offset } }).catch((error: Error) =>
      stream.destroy(error),
    );
  });
  return {
    close: async () => {
      await stream.close();
      await consumer.close();
      await producer.close();
    },
  };
}
