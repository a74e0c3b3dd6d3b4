import { Logger } from '@nestjs/common';
import type { BusSubscription, VrpcBus } from '../bus/bus.interface.js';
import { deadLetterTopic, replyTopic, requestTopic } from '../protocol/topic-names.js';
import type { VrpcTopicOptions } from '../protocol/topic-options.interface.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_GROUP_PREFIX,
  DEFAULT_REPLY_PARTITIONS,
  DEFAULT_REQUEST_PARTITIONS,
} from '../protocol/vrpc.constants.js';
import { capabilityWarnings } from './capability-warnings.js';
import { RequestDispatcher } from './request-dispatcher.js';
import type { RequestExecutor } from './request-executor.interface.js';
import type { VrpcServingOptions } from './serving-options.interface.js';

/** What a `RequestTopicsServer` serves from, and how. */
export interface RequestTopicsServerOptions {
  bus: VrpcBus;
  topics?: VrpcTopicOptions;
  serving?: VrpcServingOptions;
  /** Logger context of the loop and its dispatcher (`VrpcServer`, `VrpcGateway`). */
  name: string;
}

/** The log line of one joined service (default: `serving <service> from <topic>`). */
export type ServedLine = (service: string, topic: string) => string;

/**
 * The one serve loop of `VrpcServer` and `VrpcGateway`: creates the dead-letter, reply and
 * request topics, then joins the group `<groupPrefix><package.Service>` on each service's
 * request topic and hands every request to one `RequestDispatcher`.
 */
export class RequestTopicsServer {
  private readonly logger: Logger;
  private subscriptions: BusSubscription[] = [];

  constructor(private readonly options: RequestTopicsServerOptions) {
    this.logger = new Logger(options.name);
  }

  /** Resolves once every service is joined; on a failure the ones joined so far stay for `close()`. */
  async start(
    services: readonly string[],
    execute: RequestExecutor,
    line: ServedLine = (service, topic) => `serving ${service} from ${topic}`,
  ): Promise<void> {
    const { bus, topics = {}, serving = {}, name } = this.options;
    const dead = deadLetterTopic(topics);
    await bus.connect();
    await bus.ensureTopics([
      { topic: dead, partitions: 1, replicationFactor: topics.replicationFactor },
      {
        topic: replyTopic(topics),
        partitions: topics.replyPartitions ?? DEFAULT_REPLY_PARTITIONS,
        replicationFactor: topics.replicationFactor,
      },
      ...services.map((service) => ({
        topic: requestTopic(service, topics),
        partitions: topics.requestPartitions ?? DEFAULT_REQUEST_PARTITIONS,
        replicationFactor: topics.replicationFactor,
      })),
    ]);
    for (const warning of capabilityWarnings(bus, serving)) this.logger.warn(warning);
    const dispatcher = new RequestDispatcher({
      bus,
      execute,
      deadLetterTopic: dead,
      maxDeliveries: serving.maxDeliveries,
      publishRetryMs: serving.publishRetryMs,
      name,
    });
    // Joined one by one: a failure leaves only the ones made so far to close.
    for (const service of services) {
      const topic = requestTopic(service, topics);
      const subscription = await bus.subscribe(
        {
          topics: [topic],
          group: `${serving.groupPrefix ?? DEFAULT_GROUP_PREFIX}${service}`,
          concurrency: serving.concurrency ?? DEFAULT_CONCURRENCY,
          orderByKey: true,
          drainTimeoutMs: serving.drainTimeoutMs,
        },
        (message) => dispatcher.dispatch(message),
      );
      this.subscriptions.push(subscription);
      this.logger.log(line(service, topic));
    }
  }

  /**
   * Stops taking requests, finishes those in flight and publishes their replies (waiting at most
   * `drainTimeoutMs`; what is unfinished then is not committed, and is redelivered), commits, leaves.
   */
  async close(): Promise<void> {
    const subscriptions = this.subscriptions;
    this.subscriptions = [];
    await Promise.all(subscriptions.map((subscription) => subscription.close()));
  }
}
