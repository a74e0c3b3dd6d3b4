import type { OutgoingMessage, VrpcBus } from '../bus/bus.interface.js';

/**
 * Publishes the frames of one stream in order, without waiting for the broker between them:
 * what queues while a batch is out goes out as the next batch (one `publish` call, in order).
 * After a failure nothing more goes out (the other side would wait for the frame that was lost).
 * What it holds is bounded by the window: only control frames go out beyond it.
 */
export class FramePublisher {
  private pending: OutgoingMessage[] = [];
  private running: Promise<void> | undefined;
  private broken = false;

  constructor(
    private readonly bus: VrpcBus,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Whether a publish failed (nothing more is sent). */
  get failed(): boolean {
    return this.broken;
  }

  push(message: OutgoingMessage): void {
    if (this.broken) return;
    this.pending.push(message);
    this.running ??= this.run();
  }

  /** Resolves once everything queued so far is published, or given up. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async run(): Promise<void> {
    // Let the frames of this turn join the first batch.
    await Promise.resolve();
    try {
      while (this.pending.length > 0 && !this.broken) {
        const batch = this.pending;
        this.pending = [];
        try {
          await this.bus.publish(batch);
        } catch (error: unknown) {
          this.broken = true;
          this.pending = [];
          this.onError(error);
        }
      }
    } finally {
      this.running = undefined;
    }
  }
}
