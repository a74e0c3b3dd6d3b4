import type { PartitionLag, SubscriptionState } from '../bus.interface.js';
import { raceDeadline } from '../../utils/race-deadline.js';
import { LAG_TIMEOUT_MS } from '../core/health-timeout.js';
import type { GroupOffsetsPort } from './group-offsets.interface.js';

/**
 * The group's lag on every partition of `topics`: the high watermark minus the committed offset.
 * A partition never committed counts from its low watermark (the group reads from the beginning).
 */
export function groupLag(port: GroupOffsetsPort, topics: readonly string[]): Promise<PartitionLag[]> {
  const query = async (): Promise<PartitionLag[]> => {
    const marks = await Promise.all(topics.map(async (topic) => ({ topic, marks: await port.watermarks(topic) })));
    const committed = await port.fetchCommitted(Object.fromEntries(marks.map(({ topic, marks: m }) => [topic, [...m.keys()]])));
    const next = new Map(committed.map(({ topic, partition, offset }) => [`${topic}/${partition}`, BigInt(offset)]));
    return marks.flatMap(({ topic, marks: m }) =>
      [...m].map(([partition, { low, high }]) => {
        const done = next.get(`${topic}/${partition}`) ?? -1n;
        const from = done < 0n ? BigInt(low) : done;
        return { topic, partition, lag: Math.max(0, Number(BigInt(high) - from)) };
      }),
    );
  };
  return raceDeadline(query(), Date.now() + LAG_TIMEOUT_MS, 'the lag query');
}

/** A consumer's state as its events tell it: joined (consuming), crashed (restarts, last error), stopped. */
export class ConsumerState {
  private readonly current: SubscriptionState = { consuming: false, restarts: 0 };

  joined(): void {
    this.current.consuming = true;
  }

  /** A crash, after which the consumer is restarted (by its client or by us) when `restarting`. */
  crashed(error: unknown, restarting: boolean): void {
    this.current.consuming = false;
    this.current.lastError = error instanceof Error ? error.message : String(error);
    if (restarting) this.current.restarts++;
  }

  stopped(): void {
    this.current.consuming = false;
  }

  snapshot(): SubscriptionState {
    return { ...this.current };
  }
}
