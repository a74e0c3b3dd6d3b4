import { Logger } from '@nestjs/common';
import type { ConsumerMessages, JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { BusInbox, InboxAddress, MessageHandler } from '../bus.interface.js';
import { inboxPartition } from '../core/inbox-partition.js';
import type { OnReconnect } from '../core/reconnect-hooks.js';
import type { NatsModules } from './nats-client.js';
import { toIncoming } from './nats-message.js';
import { publishSubject, streamName } from './nats-subjects.js';

/**
 * A client's private inbox: an ordered (ephemeral) consumer on the reply topic's stream that
 * reads only the subject of its own partition (see `inboxPartition`). After a reconnect it
 * starts a new one right after the last reply it saw, rather than waiting for the client
 * library to notice missed heartbeats.
 */
export class NatsInbox implements BusInbox {
  private readonly logger = new Logger(NatsInbox.name);
  private messages: ConsumerMessages | undefined;
  private nextSequence = 0;
  private closed = false;
  private reading: Promise<void> = Promise.resolve();
  private stopResuming: () => void = () => undefined;
  address: InboxAddress = { topic: '' };

  constructor(
    private readonly modules: NatsModules,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly streamPrefix: string,
    private readonly onReconnect: OnReconnect,
  ) {}

  async open(instanceId: string, topic: string, handler: MessageHandler): Promise<void> {
    const partition = inboxPartition(instanceId);
    const stream = streamName(this.streamPrefix, topic);
    // Everything sent to us comes after this sequence: start there, however late the consumer starts.
    const { state } = await this.jsm.streams.info(stream);
    this.nextSequence = state.last_seq + 1;
    this.address = { topic, partition };
    await this.read(stream, handler);
    // After a reconnect, start reading again right after the last reply seen.
    this.stopResuming = this.onReconnect(() => {
      if (this.closed) return Promise.resolve();
      this.reading = this.reading
        .then(() => this.read(stream, handler))
        .catch((error: unknown) => this.logger.warn(`resuming the inbox failed: ${String(error)}`));
      return this.reading;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopResuming();
    await this.reading;
    await this.stopReading();
  }

  private async read(stream: string, handler: MessageHandler): Promise<void> {
    await this.stopReading();
    if (this.closed) return;
    const { topic, partition } = this.address;
    const consumer = await this.js.consumers.get(stream, {
      filter_subjects: publishSubject(topic, partition),
      deliver_policy: this.modules.jetstream.DeliverPolicy.StartSequence,
      opt_start_seq: this.nextSequence,
    });
    this.messages = await consumer.consume({
      callback: (message) => {
        if (message.seq < this.nextSequence) return;
        this.nextSequence = message.seq + 1;
        handler(toIncoming(topic, partition ?? 0, message)).catch((error: unknown) =>
          this.logger.warn(`reply handling failed: ${String(error)}`),
        );
      },
    });
  }

  private async stopReading(): Promise<void> {
    const messages = this.messages;
    this.messages = undefined;
    await messages?.close().catch(() => undefined);
  }
}
