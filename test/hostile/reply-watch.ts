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

/** A dead letter as read from the dead-letter topic: where its message came from, and why. */
export interface SeenDeadLetter {
  source: string;
  reason: string;
}

/** Reads every dead letter published from now on (their source and reason headers). */
export class DeadLetterWatch {
  readonly letters: SeenDeadLetter[] = [];
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
  ) {}

  async start(): Promise<void> {
    this.consumer = this.kafka.consumer({ groupId: `${this.topic}.watch`, maxWaitTimeInMs: 100 });
    const joined = new Promise<void>((resolve) => this.consumer?.on(this.consumer.events.GROUP_JOIN, () => resolve()));
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.topic], fromBeginning: false });
    await this.consumer.run({
      eachMessage: ({ message }) => {
        const header = (name: string) => message.headers?.[name]?.toString() ?? '';
        this.letters.push({ source: header('vrpc-dead-source'), reason: header('vrpc-dead-reason') });
        return Promise.resolve();
      },
    });
    await joined;
  }

  /** The first dead letter from `sourcePrefix` (`topic[partition]@`), waiting at most `timeoutMs`. */
  async from(sourcePrefix: string, timeoutMs = 2_000): Promise<SeenDeadLetter | undefined> {
    const find = () => this.letters.find((letter) => letter.source.startsWith(sourcePrefix));
    await waitFor(() => find() !== undefined, timeoutMs).catch(() => undefined);
    return find();
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
