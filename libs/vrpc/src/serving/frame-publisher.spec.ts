import { describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../bus/bus.interface.js';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { FramePublisher } from './frame-publisher.js';

/** A bus whose publishes wait until released, recording each batch. */
class HeldBus extends MemoryBus {
  readonly batches: string[][] = [];
  private readonly releases: Array<(error?: Error) => void> = [];

  override publish(messages: OutgoingMessage[]): Promise<void> {
    this.batches.push(messages.map((message) => String(message.value)));
    return new Promise((resolve, reject) => this.releases.push((error) => (error ? reject(error) : resolve())));
  }

  release(error?: Error): void {
    this.releases.shift()?.(error);
  }
}

const frame = (value: string): OutgoingMessage => ({ topic: 't', value: Buffer.from(value), headers: {} });
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('FramePublisher', () => {
  it('publishes in order, batching what queued while the broker acknowledged the last batch', async () => {
    const bus = new HeldBus();
    const publisher = new FramePublisher(bus, () => expect.fail('no failure expected'));
    publisher.push(frame('a'));
    await turn();
    publisher.push(frame('b'));
    publisher.push(frame('c'));
    await turn();
    expect(bus.batches).toEqual([['a']]);
    bus.release();
    await turn();
    expect(bus.batches).toEqual([['a'], ['b', 'c']]);
    const idle = publisher.idle();
    bus.release();
    await idle;
    expect(publisher.failed).toBe(false);
  });

  it('sends nothing more after a failure, and reports it once', async () => {
    const bus = new HeldBus();
    const errors: unknown[] = [];
    const publisher = new FramePublisher(bus, (error) => errors.push(error));
    publisher.push(frame('a'));
    await turn();
    publisher.push(frame('b'));
    bus.release(new Error('broker gone'));
    await publisher.idle();
    publisher.push(frame('c'));
    await turn();
    expect(bus.batches).toEqual([['a']]);
    expect(errors).toHaveLength(1);
    expect(publisher.failed).toBe(true);
  });
});
