import { setTimeout as delay } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { Consumer, KafkaRecord, RecordsBatch } from '@platformatic/kafka';
import type { BusHeaders, BusInbox, IncomingMessage, InboxAddress, MessageHandler } from '../bus.interface.js';
import { hashString } from '../../utils/hash.js';
import { logText } from '../../utils/log-text.js';
import { RatedLog } from '../../utils/rated-log.js';
import { unreadableReason } from '../kafka-common/unreadable-batch.js';

type AnyConsumer = Consumer<string, Buffer | undefined, string, string>;

/** Record batches with this attribute bit hold transaction markers, not messages. */
const CONTROL_BATCH = 0x20;
const PARTITION_MAX_BYTES = 1_048_576;

function toIncoming(topic: string, partition: number, offset: bigint, record: KafkaRecord): IncomingMessage {
  const headers: BusHeaders = {};
  for (const [name, value] of record.headers) if (name) headers[name.toString()] = value?.toString() ?? '';
  return {
    topic,
    partition,
    offset: offset.toString(),
    key: record.key?.toString() ?? null,
    value: record.value ?? Buffer.alloc(0),
    headers,
  };
}

/**
 * A client's private view of the shared reply topic, as with kafkajs: the one partition its
 * instance id hashes to (or, whole-topic, every partition the topic had at `open`), read from
 * the partition's end as it was before `open` resolved. It
 * fetches that partition directly (no consumer group: nothing is committed, and no empty
 * group is left behind). Replies for other instances on the partition are ignored upstream.
 */
export class PlatformaticKafkaInbox implements BusInbox {
  private readonly logger = new Logger(PlatformaticKafkaInbox.name);
  /** Unreadable batches can come in floods: one line per interval. */
  private readonly skippedBatches = new RatedLog((line) => this.logger.warn(line));
  private readonly stop = new AbortController();
  private loop: Promise<void> = Promise.resolve();
  address: InboxAddress = { topic: '' };

  constructor(
    private readonly consumer: AnyConsumer,
    private readonly maxWaitTimeMs: number,
  ) {}

  /** @param wholeTopic read every partition (`whole-topic` scope), not only the one the id hashes to */
  async open(instanceId: string, topic: string, handler: MessageHandler, partitionCount: number, wholeTopic = false): Promise<void> {
    const partition = hashString(instanceId) % partitionCount;
    const read = wholeTopic ? Array.from({ length: partitionCount }, (_, index) => index) : [partition];
    // Everything sent to us comes after this point: start reading from here.
    const ends = await this.consumer.listOffsets({ topics: [topic] });
    const next = new Map(read.map((index) => [index, ends.get(topic)?.[index] ?? 0n]));
    this.loop = this.read(topic, next, handler);
    // A whole-topic inbox reads wherever a reply lands: its address names no partition.
    this.address = wholeTopic ? { topic } : { topic, partition };
  }

  async close(): Promise<void> {
    this.skippedBatches.close();
    this.stop.abort();
    await this.loop;
    await this.consumer.close().catch((error: unknown) => this.logger.warn(`closing the inbox failed: ${String(error)}`));
  }

  /** Fetches the partitions of `next` (partition → next offset), one request per leader at a time. */
  private async read(topic: string, next: Map<number, bigint>, handler: MessageHandler): Promise<void> {
    let refresh = false;
    while (!this.stop.signal.aborted) {
      try {
        const metadata = await this.consumer.metadata({ topics: [topic], forceUpdate: refresh });
        const described = metadata.topics.get(topic);
        if (!described) throw new Error(`no metadata for ${topic}`);
        const byLeader = new Map<number, number[]>();
        for (const partition of next.keys()) {
          const leader = described.partitions[partition]?.leader;
          if (leader === undefined) throw new Error(`no leader for ${topic}[${partition}]`);
          byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
        }
        await Promise.all(
          [...byLeader].map(async ([leader, partitions]) => {
            const response = await this.consumer.fetch({
              node: leader,
              maxWaitTime: this.maxWaitTimeMs,
              topics: [
                {
                  topicId: described.id,
                  partitions: partitions.map((partition) => ({
                    partition,
                    fetchOffset: next.get(partition) ?? 0n,
                    partitionMaxBytes: PARTITION_MAX_BYTES,
                    currentLeaderEpoch: -1,
                    lastFetchedEpoch: -1,
                  })),
                },
              ],
            });
            for (const result of response.responses[0]?.partitions ?? []) {
              const partition = result.partitionIndex;
              if (!next.has(partition)) continue;
              if (result.errorCode !== 0) throw new Error(`fetch of ${topic}[${partition}] failed with error code ${result.errorCode}`);
              next.set(partition, this.deliver(topic, partition, next.get(partition) ?? 0n, result.records ?? [], handler));
            }
          }),
        );
        refresh = false;
      } catch (error: unknown) {
        if (this.stop.signal.aborted) return;
        this.logger.warn(`reading replies failed, retrying: ${String(error)}`);
        refresh = true;
        await delay(500, undefined, { signal: this.stop.signal }).catch(() => undefined);
      }
    }
  }

  /** Hands the batches' messages to the handler; returns the next offset to fetch. */
  private deliver(topic: string, partition: number, from: bigint, batches: RecordsBatch[], handler: MessageHandler): bigint {
    let next = from;
    for (const batch of batches) {
      const last = batch.firstOffset + BigInt(batch.lastOffsetDelta);
      if (last + 1n > next) next = last + 1n;
      if (batch.attributes & CONTROL_BATCH) continue;
      for (const record of batch.records) {
        const offset = batch.firstOffset + BigInt(record.offsetDelta);
        if (offset < from) continue;
        const unreadable = unreadableReason(record.value ?? null);
        if (unreadable !== undefined) {
          this.skippedBatches.note(
            'unreadable',
            `unreadable batch on ${logText(topic)}[${partition}], skipped: ${logText(unreadable, 400)}`,
          );
          continue;
        }
        handler(toIncoming(topic, partition, offset, record)).catch((error: unknown) =>
          this.logger.warn(`reply handling failed: ${String(error)}`),
        );
      }
    }
    return next;
  }
}
