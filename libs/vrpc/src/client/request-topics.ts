import type { TopicSpec, VrpcBus } from '../bus/bus.interface.js';
import type { VrpcTopicOptions } from '../protocol/topic-options.interface.js';
import { requestTopic } from '../protocol/topic-names.js';
import { DEFAULT_REQUEST_PARTITIONS } from '../protocol/vrpc.constants.js';

/** One service's request topic, as far as this client knows it. */
interface RequestTopic {
  readonly name: string;
  /** Creating it, or created; unset until asked for, and again after a failure. */
  ensured: Promise<void> | undefined;
  /** Known to exist: calls publish to it without waiting. */
  ready: boolean;
}

/** The request topics of the services a client calls: names checked once, each created once. */
export class RequestTopics {
  private readonly byService = new Map<string, RequestTopic>();

  constructor(
    private readonly bus: Pick<VrpcBus, 'ensureTopics'>,
    private readonly options: VrpcTopicOptions,
  ) {}

  /** The topic of a service if it is known to exist, else `undefined`: the publishing fast path. */
  ready(serviceName: string): string | undefined {
    const topic = this.byService.get(serviceName);
    return topic?.ready ? topic.name : undefined;
  }

  /** The request topic of a service; an invalid name throws (every time, as it is not kept). */
  name(serviceName: string): string {
    return this.entry(serviceName).name;
  }

  /** How a service's topic is created. */
  spec(serviceName: string): TopicSpec {
    return {
      topic: this.name(serviceName),
      partitions: this.options.requestPartitions ?? DEFAULT_REQUEST_PARTITIONS,
      replicationFactor: this.options.replicationFactor,
    };
  }

  /** Records topics created elsewhere (with the reply inbox). */
  markReady(serviceNames: string[]): void {
    for (const serviceName of serviceNames) {
      const topic = this.entry(serviceName);
      topic.ensured = Promise.resolve();
      topic.ready = true;
    }
  }

  /** Creates a service's topic once, for services the protos did not name (raw calls); a failure is retried next time. */
  ensure(serviceName: string): Promise<void> {
    const topic = this.entry(serviceName);
    if (topic.ensured) return topic.ensured;
    const ensured = this.bus.ensureTopics([this.spec(serviceName)]);
    topic.ensured = ensured;
    ensured.then(
      () => {
        topic.ready = true;
      },
      () => {
        if (topic.ensured === ensured) topic.ensured = undefined;
      },
    );
    return ensured;
  }

  private entry(serviceName: string): RequestTopic {
    let topic = this.byService.get(serviceName);
    if (!topic) {
      topic = { name: requestTopic(serviceName, this.options), ensured: undefined, ready: false };
      this.byService.set(serviceName, topic);
    }
    return topic;
  }
}
