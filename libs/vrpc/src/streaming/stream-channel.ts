import { status } from '@grpc/grpc-js';
import type { StreamFrame } from '../protocol/envelope.js';
import { StreamMessages } from '../errors/vrpc.messages.js';
import type { ChannelFailure, ChannelHooks, ChannelStart, OutgoingFrame } from './channel-hooks.interface.js';
import type { StreamSettings } from './stream-settings.js';
import { Fifo } from '../utils/fifo.js';

export type { ChannelFailure, ChannelHooks, ChannelStart, OutgoingFrame } from './channel-hooks.interface.js';

/**
 * One side of a streaming call: sends this side's messages within the window the other side
 * granted (holding the rest, up to `maxBufferedBytes`), puts the other side's messages back in
 * order and grants window as they are taken, sends heartbeats after `heartbeatMs` of silence and
 * fails after `livenessMs` without a frame. It knows nothing of the bus nor of envelopes: its
 * side turns its frames into envelopes and hands it what arrives.
 */
export class StreamChannel<In, End> {
  private readonly queue = new Fifo<Buffer>();
  private queuedBytes = 0;
  /** Index of this side's next message. */
  private sent = 0;
  /** This side may send indexes below it. */
  private peerWindow: number;
  /** An end waiting for the queue to drain. */
  private ending: { end?: End } | undefined;
  private ended = false;
  /** Index of the other side's next message to deliver. */
  private next: number;
  /** Messages that came ahead of their turn, or in order but not yet read (pull). */
  private readonly held = new Map<number, In>();
  /** The other side's end frame and how many messages it sent, once it has arrived. */
  private peerEnd: { total: number; item: In } | undefined;
  /** Messages the application took: the window granted is this plus `settings.window`. */
  private taken: number;
  private demand = 0;
  private grantSent: number;
  private lastSent = 0;
  private lastHeard = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private waitingWritable = false;
  private readonly pull: boolean;
  /** `whenWritable()` promises waiting for the window. */
  private readonly waiters: Array<() => void> = [];

  constructor(
    private readonly settings: StreamSettings,
    private readonly hooks: ChannelHooks<In, End>,
    start: ChannelStart = {},
  ) {
    this.peerWindow = start.peerWindow ?? 0;
    this.next = start.received ?? 0;
    this.taken = this.next;
    this.grantSent = this.granted;
    this.pull = start.pull ?? false;
  }

  /** The window this side grants: the other side may send indexes below it. */
  get granted(): number {
    return this.taken + this.settings.window;
  }

  /** Whether a message written now goes out at once (the window has room and nothing waits before it). */
  get canWrite(): boolean {
    return !this.closed && this.queue.size === 0 && this.sent < this.peerWindow;
  }

  /** Bytes held beyond the other side's window. */
  get bufferedBytes(): number {
    return this.queuedBytes;
  }

  /** Starts the heartbeat and liveness watch (once the other side's address is known). */
  start(): void {
    if (this.timer || this.closed) return;
    const now = Date.now();
    this.lastHeard = now;
    this.lastSent = now;
    const tick = Math.max(10, Math.min(this.settings.heartbeatMs, this.settings.livenessMs) / 4);
    this.timer = setInterval(() => this.tick(), tick);
    this.timer.unref();
  }

  /**
   * Sends a message, or holds it until the window opens. Returns whether it went out at once;
   * `false` asks a producer that can wait to wait (`writable` hook, or `whenWritable()`). Past
   * `maxBufferedBytes` held, the channel fails with RESOURCE_EXHAUSTED.
   */
  write(payload: Buffer): boolean {
    if (this.closed || this.ending || this.ended) return false;
    if (this.queue.size === 0 && this.sent < this.peerWindow) {
      this.sendMessage(payload, undefined);
      return true;
    }
    this.queue.push(payload);
    this.queuedBytes += payload.length;
    this.waitingWritable = true;
    if (this.queuedBytes > this.settings.maxBufferedBytes) {
      this.fail({ code: status.RESOURCE_EXHAUSTED, reason: StreamMessages.bufferFull(this.settings.maxBufferedBytes) });
    }
    return false;
  }

  /** Resolves once a message written next would go out at once (or the channel has closed). */
  whenWritable(): Promise<void> {
    if (this.canWrite || this.closed) return Promise.resolve();
    this.waitingWritable = true;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends this side's stream after the messages still held: an end frame, with `end` riding on it. */
  finish(end?: End): void {
    if (this.closed || this.ending || this.ended) return;
    this.ending = { end };
    this.flush();
  }

  /** Sends a frame at once, outside the window and ahead of what is held (a cancel, an early status). */
  sendNow(frame: StreamFrame, end?: End): void {
    if (this.closed) return;
    this.emit({ frame: { ...frame, window: this.granted }, end });
  }

  /** Asks for `count` more messages (pull mode); delivers those already here. */
  read(count = 1): void {
    this.demand += count;
    this.deliver();
  }

  /** Hands the channel a frame of the other side, with what it arrived in. */
  receive(frame: StreamFrame, item: In): void {
    if (this.closed) return;
    this.lastHeard = Date.now();
    if ((frame.window ?? 0) > this.peerWindow) {
      this.peerWindow = frame.window as number;
      this.flush();
    }
    if (frame.cancel) {
      this.close();
      this.hooks.cancelled(item);
      return;
    }
    const sequence = frame.sequence ?? 0;
    if (frame.hasMessage) {
      if (sequence >= this.granted) {
        this.fail({ code: status.RESOURCE_EXHAUSTED, reason: StreamMessages.pastWindow(sequence, this.granted) });
        return;
      }
      if (sequence >= this.next && !this.held.has(sequence)) this.held.set(sequence, item);
    }
    if (frame.end && !this.peerEnd) this.peerEnd = { total: frame.hasMessage ? sequence + 1 : sequence, item };
    this.deliver();
  }

  /** Stops the timers and drops what is held; nothing more is sent or delivered. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.queue.clear();
    this.queuedBytes = 0;
    this.held.clear();
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private deliver(): void {
    while (!this.closed && this.held.has(this.next) && (!this.pull || this.demand > 0)) {
      const item = this.held.get(this.next) as In;
      this.held.delete(this.next);
      this.next++;
      this.taken++;
      if (this.pull) this.demand--;
      this.hooks.message(item);
    }
    if (this.closed) return;
    if (this.peerEnd && this.next >= this.peerEnd.total) {
      const { item } = this.peerEnd;
      this.peerEnd = { total: Infinity, item };
      this.hooks.end(item);
      return;
    }
    // Grant more once half a window was taken since the last grant; a heartbeat repeats it anyway.
    if (this.timer && this.granted - this.grantSent >= Math.max(1, this.settings.window / 2)) {
      this.emit({ frame: { window: this.granted } });
    }
  }

  private flush(): void {
    while (!this.closed && this.queue.size > 0 && this.sent < this.peerWindow) {
      const payload = this.queue.shift() as Buffer;
      this.queuedBytes -= payload.length;
      const last = this.queue.size === 0 && this.ending !== undefined;
      this.sendMessage(payload, last ? this.ending : undefined);
    }
    if (this.closed) return;
    if (this.queue.size === 0 && this.ending && !this.ended) {
      this.ended = true;
      this.emit({ frame: { end: true, sequence: this.sent }, end: this.ending.end });
    }
    if (this.waitingWritable && this.canWrite) {
      this.waitingWritable = false;
      for (const resolve of this.waiters.splice(0)) resolve();
      this.hooks.writable?.();
    }
  }

  /** One message frame; the last one before an end carries the end too. */
  private sendMessage(payload: Buffer, ending: { end?: End } | undefined): void {
    const frame: StreamFrame = { sequence: this.sent++, hasMessage: true };
    if (ending) {
      frame.end = true;
      this.ended = true;
    }
    this.emit({ frame, payload, end: ending?.end });
  }

  private emit(out: OutgoingFrame<End>): void {
    out.frame.window = this.granted;
    this.grantSent = this.granted;
    this.lastSent = Date.now();
    this.hooks.send(out);
  }

  private tick(): void {
    const now = Date.now();
    if (now - this.lastHeard >= this.settings.livenessMs) {
      this.fail({ code: status.UNAVAILABLE, reason: StreamMessages.silent(now - this.lastHeard) });
      return;
    }
    if (now - this.lastSent >= this.settings.heartbeatMs) this.emit({ frame: {} });
  }

  private fail(failure: ChannelFailure): void {
    this.close();
    this.hooks.failed(failure);
  }
}
