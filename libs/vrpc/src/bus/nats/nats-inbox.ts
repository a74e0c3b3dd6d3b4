import { Logger } from '@nestjs/common';
import type { ConsumerMessages, JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { BusInbox, InboxAddress, MessageHandler } from '../bus.interface.js';
import { inboxPartition } from '../shared/inbox-partition.js';
import type { NatsModules } from './nats-client.js';
import { toIncoming } from './nats-message.js';
import { publishSubject, streamName } from './nats-subjects.js';

/**
 * A client's private inbox: an ordered (ephemeral, self-healing) consumer on the reply topic's
 * stream that reads only the subject of its own partition (see `inboxPartition`).
 */
export class NatsInbox implements BusInbox {
  private readonly logger = new Logger(NatsInbox.name);
  private messages: ConsumerMessages | undefined;
  address: InboxAddress = { topic: '' };

  constructor(
    private readonly modules: NatsModules,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly streamPrefix: string,
  ) {}

  async open(instanceId: string, topic: string, handler: MessageHandler): Promise<void> {
    const partition = inboxPartition(instanceId);
    const stream = streamName(this.streamPrefix, topic);
    // Everything sent to us comes after this sequence: start there, however late the consumer starts.
    const { state } = await this.jsm.streams.info(stream);
    const consumer = await this.js.consumers.get(stream, {
      filter_subjects: publishSubject(topic, partition),
      deliver_policy: this.modules.jetstream.DeliverPolicy.StartSequence,
      opt_start_seq: state.last_seq + 1,
    });
    this.messages = await consumer.consume({
      callback: (message) => {
        handler(toIncoming(topic, partition, message)).catch((error: unknown) =>
          this.logger.warn(`reply handling failed: ${String(error)}`),
        );
      },
    });
    this.address = { topic, partition };
  }

  async close(): Promise<void> {
    const messages = this.messages;
    this.messages = undefined;
    await messages?.close();
  }
}
