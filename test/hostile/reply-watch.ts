import type { Consumer, Kafka } from 'kafkajs';
import { decodeResponse } from '@vrpc/nestjs/protocol';
import { waitFor } from '../support/wait-for.js';

/** A reply as read from the reply topic by a bystander. */
export interface SeenReply {
  statusCode: number;
  errorMessage: string;
  partition: number;
  key: string;
}

/** Reads every reply published on a reply topic from now on, by request id (undecodable ones are skipped). */
export class ReplyWatch {
  readonly replies = new Map<string, SeenReply>();
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly group: string,
  ) {}

  async start(): Promise<void> {
    this.consumer = this.kafka.consumer({ groupId: this.group, maxWaitTimeInMs: 100 });
    const joined = new Promise<void>((resolve) => this.consumer?.on(this.consumer.events.GROUP_JOIN, () => resolve()));
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.topic], fromBeginning: false });
    await this.consumer.run({
      eachMessage: ({ partition, message }) => {
        try {
          const reply = decodeResponse(message.value ?? Buffer.alloc(0));
          this.replies.set(reply.requestId, {
            statusCode: reply.statusCode,
            errorMessage: reply.errorMessage,
            partition,
            key: message.key?.toString() ?? '',
          });
        } catch {
          // Not a reply (a hostile case wrote it): not this watch's concern.
        }
        return Promise.resolve();
      },
    });
    await joined;
  }

  /** The reply to `id`, waiting at most `timeoutMs`. */
  async reply(id: string, timeoutMs = 2_000): Promise<SeenReply | undefined> {
    await waitFor(() => this.replies.has(id), timeoutMs).catch(() => undefined);
    return this.replies.get(id);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
