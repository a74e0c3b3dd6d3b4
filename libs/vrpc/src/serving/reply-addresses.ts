import { deadLetterTopic, replyTopic } from '../protocol/topic-names.js';
import type { VrpcTopicOptions } from '../protocol/topic-options.interface.js';
import { DEFAULT_REQUEST_TOPIC_PREFIX } from '../protocol/vrpc.constants.js';

/** Why a reply address is refused: it names a request topic, the dead-letter topic, or a topic not allowed. */
export type ReplyAddressRefusal = 'request-topic' | 'dead-letter-topic' | 'unlisted-topic';

/** What decides the reply topics a server may write to. */
export interface ReplyAddressOptions {
  /** The topic names of the deployment: its reply topic is always allowed, its request and dead-letter topics never. */
  topics?: VrpcTopicOptions;
  /** More reply topics allowed (`serving.replyTopics`): names, or a pattern the whole name must match. */
  allowed?: readonly string[] | RegExp;
  /** The request topics this process reads: never a reply address, whatever their names. */
  served?: readonly string[];
}

/**
 * The reply topics a server (or gateway) publishes replies to. A request names its reply
 * address itself, and the server writes there with its own credentials: unchecked, anyone who
 * can write a request topic could make the server write anywhere it may (a request topic, so
 * that its reply runs as a request, or another caller's reply topic). Allowed: the configured
 * reply topic and those listed or matched by `serving.replyTopics`; never a request topic (one
 * this process reads, one `topics.requests` names, or one under `topics.requestPrefix`) nor the
 * dead-letter topic, even when listed. Partitions are checked where the reply is published (a
 * partition that does not exist is a final error).
 */
export class ReplyAddresses {
  private readonly replies: string;
  private readonly deadLetter: string;
  private readonly requestPrefix: string;
  private readonly requests: ReadonlySet<string>;
  private readonly listed: ReadonlySet<string>;
  private readonly pattern?: RegExp;

  constructor(options: ReplyAddressOptions = {}) {
    const topics = options.topics ?? {};
    this.replies = replyTopic(topics);
    this.deadLetter = deadLetterTopic(topics);
    this.requestPrefix = topics.requestPrefix ?? DEFAULT_REQUEST_TOPIC_PREFIX;
    this.requests = new Set([...Object.values(topics.requests ?? {}), ...(options.served ?? [])]);
    const allowed = options.allowed ?? [];
    if (allowed instanceof RegExp) {
      // A copy without the stateful flags, anchored: `test` must not depend on an earlier call, nor match a part.
      this.pattern = new RegExp(`^(?:${allowed.source})$`, allowed.flags.replace(/[gy]/g, ''));
      this.listed = new Set();
    } else {
      this.listed = new Set(allowed);
    }
  }

  /** Why replies may not go to `topic`, or `undefined` where they may. */
  refusal(topic: string): ReplyAddressRefusal | undefined {
    if (topic === this.deadLetter) return 'dead-letter-topic';
    if (this.requests.has(topic)) return 'request-topic';
    if (topic === this.replies) return undefined;
    if (this.requestPrefix && topic.startsWith(this.requestPrefix)) return 'request-topic';
    if (this.listed.has(topic) || this.pattern?.test(topic)) return undefined;
    return 'unlisted-topic';
  }
}

/** Reply addresses for a dispatcher used on its own (tests, tools): any topic but the dead-letter one. */
export class AnyReplyAddress {
  constructor(private readonly deadLetter: string) {}

  refusal(topic: string): ReplyAddressRefusal | undefined {
    return topic === this.deadLetter ? 'dead-letter-topic' : undefined;
  }
}

/** What a `ReplySender` asks about a reply address. */
export type ReplyAddressCheck = Pick<ReplyAddresses, 'refusal'>;
