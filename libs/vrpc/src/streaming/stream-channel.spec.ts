import { status } from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StreamFrame } from '../protocol/envelope.js';
import { type ChannelFailure, type OutgoingFrame, StreamChannel } from './stream-channel.js';
import { streamSettings } from './stream-settings.js';

/** What arrives with a frame in these tests: the frame and its payload as text. */
interface Item {
  frame: StreamFrame;
  text?: string;
}

/** One side: its channel, and what it was handed. */
function side(options: Parameters<typeof streamSettings>[0] = {}, start: ConstructorParameters<typeof StreamChannel>[2] = {}) {
  const sent: OutgoingFrame<string>[] = [];
  const got: string[] = [];
  const ends: Item[] = [];
  const failures: ChannelFailure[] = [];
  let cancels = 0;
  const channel = new StreamChannel<Item, string>(
    streamSettings({ window: 4, heartbeatMs: 100, livenessMs: 500, ...options }),
    {
      send: (out) => sent.push(out),
      message: (item) => got.push(item.text ?? ''),
      end: (item) => ends.push(item),
      cancelled: () => cancels++,
      failed: (failure) => failures.push(failure),
    },
    start,
  );
  return { channel, sent, got, ends, failures, cancels: () => cancels };
}

/** Hands frames from one side to the other, in the order given. */
function deliver(frames: OutgoingFrame<string>[], to: StreamChannel<Item, string>): void {
  for (const out of frames) to.receive(out.frame, { frame: out.frame, text: out.payload?.toString() });
}

const text = (value: string): Buffer => Buffer.from(value);

describe('StreamChannel', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('sends within the granted window, holds the rest, and sends it as the window opens', () => {
    const sender = side({}, { peerWindow: 2 });
    expect(sender.channel.write(text('a'))).toBe(true);
    expect(sender.channel.write(text('b'))).toBe(true);
    expect(sender.channel.write(text('c'))).toBe(false);
    expect(sender.sent.map((out) => out.frame.sequence)).toEqual([0, 1]);
    expect(sender.channel.bufferedBytes).toBe(1);
    sender.channel.receive({ window: 3 }, { frame: {} });
    expect(sender.sent.map((out) => out.payload?.toString())).toEqual(['a', 'b', 'c']);
    expect(sender.channel.canWrite).toBe(false);
  });

  it('delivers in order, once, whatever order the frames come in', () => {
    const sender = side({}, { peerWindow: 4 });
    const receiver = side();
    for (const value of ['a', 'b', 'c', 'd']) sender.channel.write(text(value));
    sender.channel.finish('done');
    const [a, b, c, d, end] = sender.sent;
    expect(end.frame).toMatchObject({ sequence: 4, end: true });
    expect(end.end).toBe('done');
    deliver([c, a, a, end, d, b, d], receiver.channel);
    expect(receiver.got).toEqual(['a', 'b', 'c', 'd']);
    expect(receiver.ends).toHaveLength(1);
  });

  it('delivers an end only after every message before it', () => {
    const sender = side({}, { peerWindow: 1 });
    const receiver = side();
    sender.channel.write(text('a'));
    sender.channel.write(text('b'));
    sender.channel.finish('done');
    sender.channel.receive({ window: 5 }, { frame: {} });
    const [a, b] = sender.sent;
    expect(b.frame).toMatchObject({ sequence: 1, end: true });
    deliver([b], receiver.channel);
    expect(receiver.ends).toHaveLength(0);
    deliver([a], receiver.channel);
    expect(receiver.got).toEqual(['a', 'b']);
    expect(receiver.ends).toHaveLength(1);
  });

  it('ends with a frame of its own when nothing is held, counting the messages sent', () => {
    const sender = side({}, { peerWindow: 4 });
    sender.channel.write(text('a'));
    sender.channel.finish();
    expect(sender.sent[1].frame).toMatchObject({ end: true, sequence: 1 });
    expect(sender.sent[1].frame.hasMessage).toBeUndefined();
  });

  it('grants more window as messages are taken, half a window at a time', () => {
    const sender = side({}, { peerWindow: 4 });
    const receiver = side();
    receiver.channel.start();
    for (const value of ['a', 'b', 'c', 'd', 'e', 'f']) sender.channel.write(text(value));
    deliver(sender.sent.splice(0), receiver.channel);
    expect(receiver.got).toEqual(['a', 'b', 'c', 'd']);
    expect(receiver.sent.map((out) => out.frame.window)).toEqual([6, 8]);
    deliver(receiver.sent, sender.channel);
    deliver(sender.sent.splice(0), receiver.channel);
    expect(receiver.got).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('in pull mode, delivers only what is read and grants window for that only', () => {
    const sender = side({}, { peerWindow: 4 });
    const receiver = side({}, { pull: true });
    receiver.channel.start();
    for (const value of ['a', 'b', 'c']) sender.channel.write(text(value));
    deliver(sender.sent, receiver.channel);
    expect(receiver.got).toEqual([]);
    receiver.channel.read();
    expect(receiver.got).toEqual(['a']);
    expect(receiver.sent).toEqual([]);
    receiver.channel.read();
    expect(receiver.got).toEqual(['a', 'b']);
    expect(receiver.sent.map((out) => out.frame.window)).toEqual([6]);
  });

  it('fails RESOURCE_EXHAUSTED on a message past the window it granted', () => {
    const receiver = side();
    receiver.channel.receive({ sequence: 4, hasMessage: true }, { frame: {}, text: 'x' });
    expect(receiver.failures).toEqual([{ code: status.RESOURCE_EXHAUSTED, reason: expect.stringContaining('past the window') as unknown }]);
    receiver.channel.receive({ sequence: 0, hasMessage: true }, { frame: {}, text: 'a' });
    expect(receiver.got).toEqual([]);
  });

  it('fails RESOURCE_EXHAUSTED when more than maxBufferedBytes wait for the window', () => {
    const sender = side({ maxBufferedBytes: 10 });
    expect(sender.channel.write(Buffer.alloc(6))).toBe(false);
    expect(sender.failures).toEqual([]);
    sender.channel.write(Buffer.alloc(6));
    expect(sender.failures.map((failure) => failure.code)).toEqual([status.RESOURCE_EXHAUSTED]);
    expect(sender.channel.bufferedBytes).toBe(0);
  });

  it('resolves whenWritable once the window opens, and at once when it is open', async () => {
    const sender = side({}, { peerWindow: 1 });
    await sender.channel.whenWritable();
    sender.channel.write(text('a'));
    let open = false;
    const waiting = sender.channel.whenWritable().then(() => (open = true));
    await Promise.resolve();
    expect(open).toBe(false);
    sender.channel.receive({ window: 2 }, { frame: {} });
    await waiting;
    expect(open).toBe(true);
  });

  it('sends a heartbeat after heartbeatMs of silence, carrying its window', () => {
    const quiet = side();
    quiet.channel.start();
    vi.advanceTimersByTime(99);
    expect(quiet.sent).toEqual([]);
    vi.advanceTimersByTime(30);
    expect(quiet.sent).toEqual([{ frame: { window: 4 } }]);
  });

  it('fails UNAVAILABLE after livenessMs without a frame, and not while frames come', () => {
    const watcher = side();
    watcher.channel.start();
    for (let i = 0; i < 8; i++) {
      vi.advanceTimersByTime(100);
      watcher.channel.receive({}, { frame: {} });
    }
    expect(watcher.failures).toEqual([]);
    vi.advanceTimersByTime(530);
    expect(watcher.failures.map((failure) => failure.code)).toEqual([status.UNAVAILABLE]);
    const sentBefore = watcher.sent.length;
    vi.advanceTimersByTime(1_000);
    expect(watcher.sent).toHaveLength(sentBefore);
  });

  it('hands a cancel to its side and stops', () => {
    const server = side({}, { peerWindow: 4 });
    server.channel.receive({ cancel: true }, { frame: {} });
    expect(server.cancels()).toBe(1);
    expect(server.channel.write(text('late'))).toBe(false);
    expect(server.sent).toEqual([]);
  });
});
