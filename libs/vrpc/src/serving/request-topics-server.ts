import { status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import type { BusSubscription, VrpcBus } from '../bus/bus.interface.js';
import { StreamMessages, VrpcMessages } from '../errors/vrpc.messages.js';
import { deadLetterTopic, replyTopic } from '../protocol/topic-names.js';
import type { VrpcTopicOptions } from '../protocol/topic-options.interface.js';
import type { VrpcSecurityOptions } from '../protocol/security-options.interface.js';
import { DEFAULT_CONCURRENCY, DEFAULT_REPLY_PARTITIONS, DEFAULT_REQUEST_PARTITIONS } from '../protocol/vrpc.constants.js';
import { capabilityWarnings } from './capability-warnings.js';
import { ReplyAddresses } from './reply-addresses.js';
import { errorReply } from './reply.factory.js';
import { RequestDispatcher, type StreamOpener } from './request-dispatcher.js';
import type { RequestExecutor } from './request-executor.interface.js';
import { servedTopics, type ServedTopic, unservedWarnings } from './served-topics.js';
import type { VrpcServingOptions } from './serving-options.interface.js';
import type { StreamExecutor } from './stream-executor.interface.js';
import { StreamServing } from './stream-serving.js';
import { servingHealth, type VrpcHealthOptions, type VrpcHealthReport, type WatchedSubscription } from './serving-health.js';
import type { DroppedFrame } from './stream-inbox.js';
import type { LagSample } from '../telemetry/metric-instruments.js';
import { VrpcTelemetry } from '../telemetry/vrpc-telemetry.js';

/** Streams served beside the requests: by whom (`instanceId`, the inbox's owner) and how. */
export interface ServedStreams {
  instanceId: string;
  execute: StreamExecutor;
  /**
   * Streams are a bonus (a gateway, which cannot tell whether its targets stream): when the stream
   * inbox cannot be opened (no rights on `topics.streams`), serving starts anyway, says why once,
   * and refuses streaming openings UNAVAILABLE.
   */
  optional?: boolean;
}

/** What a `RequestTopicsServer` serves from, and how. */
export interface RequestTopicsServerOptions {
  bus: VrpcBus;
  topics?: VrpcTopicOptions;
  serving?: VrpcServingOptions;
  /** Signed envelopes (`security`): requests verified, replies signed. */
  security?: VrpcSecurityOptions;
  /** Logger context of the loop and its dispatcher (`VrpcServer`, `VrpcGateway`). */
  name: string;
  /** Spans and metrics of what it serves (default: one of its own for `bus.system`). */
  telemetry?: VrpcTelemetry;
}

/** The log line of one joined service (default: `serving <service> from <topic>`). */
export type ServedLine = (service: string, topic: string) => string;

/**
 * The one serve loop of `VrpcServer` and `VrpcGateway`: creates the dead-letter, reply and
 * request topics, then joins one group per request topic (`<groupPrefix><package.Service>`,
 * or `<groupPrefix><topic>` for a topic its services share) and hands every request to one
 * `RequestDispatcher`, which tells the services of a shared topic apart by the envelope.
 */
export class RequestTopicsServer {
  private readonly logger: Logger;
  private subscriptions: BusSubscription[] = [];
  private watched: WatchedSubscription[] = [];
  private readonly dispatchers: RequestDispatcher[] = [];
  private streams: StreamServing | undefined;
  /** Removes each lag source registered with the metrics. */
  private unobserved: (() => void)[] = [];
  readonly telemetry: VrpcTelemetry;

  constructor(private readonly options: RequestTopicsServerOptions) {
    this.logger = new Logger(options.name);
    this.telemetry = options.telemetry ?? new VrpcTelemetry(options.bus.system ?? 'vrpc-bus');
  }

  /** Resolves once every topic is joined; on a failure the ones joined so far stay for `close()`. */
  async start(
    services: readonly string[],
    execute: RequestExecutor,
    line: ServedLine = (service, topic) => `serving ${service} from ${topic}`,
    streams?: ServedStreams,
  ): Promise<void> {
    const { bus, topics = {}, serving = {}, name } = this.options;
    const dead = deadLetterTopic(topics);
    const replies = replyTopic(topics);
    const served = servedTopics(services, topics, serving.groupPrefix);
    await bus.connect();
    await bus.ensureTopics([
      { topic: dead, partitions: 1, replicationFactor: topics.replicationFactor },
      { topic: replies, partitions: topics.replyPartitions ?? DEFAULT_REPLY_PARTITIONS, replicationFactor: topics.replicationFactor },
      ...served.map(({ topic }) => ({
        topic,
        partitions: topics.requestPartitions ?? DEFAULT_REQUEST_PARTITIONS,
        replicationFactor: topics.replicationFactor,
      })),
    ]);
    for (const warning of [...capabilityWarnings(bus, serving), ...unservedWarnings(served, topics)]) this.logger.warn(warning);
    let openStream: StreamOpener | undefined;
    if (streams) {
      const execute = this.streamsBoundToTopics(served, streams.execute);
      const streaming = new StreamServing({
        bus,
        topics,
        serving,
        security: this.options.security,
        logger: this.logger,
        telemetry: this.telemetry,
        ...streams,
        execute,
      });
      try {
        await streaming.start();
        this.streams = streaming;
        openStream = streaming.open;
        this.observeLag(streaming.inbox.lagSource(streams.instanceId));
      } catch (error: unknown) {
        if (!streams.optional) throw error;
        const reason = StreamMessages.noStreamInbox(String(error));
        this.logger.warn(reason);
        openStream = (envelope) => Promise.resolve(errorReply(envelope, { code: status.UNAVAILABLE, message: reason }));
      }
    }
    const dispatcher = new RequestDispatcher({
      bus,
      execute: this.boundToTopics(served, execute),
      deadLetterTopic: dead,
      replyTopic: replies,
      maxDeliveries: serving.maxDeliveries,
      name,
      limits: serving.limits,
      publishRetryMs: serving.publishRetryMs,
      replyAddresses: new ReplyAddresses({ topics, allowed: serving.replyTopics, served: served.map(({ topic }) => topic) }),
      security: this.options.security,
      openStream,
      telemetry: this.telemetry,
      groups: new Map(served.map(({ topic, group }) => [topic, group])),
      services: new Set(services),
      headers: serving.headers,
    });
    this.dispatchers.push(dispatcher);
    // Joined one by one: a failure leaves only the ones made so far to close.
    for (const { topic, services: sharing, group } of served) {
      const subscription = await bus.subscribe(
        {
          topics: [topic],
          group,
          concurrency: serving.concurrency ?? DEFAULT_CONCURRENCY,
          orderByKey: true,
          drainTimeoutMs: serving.drainTimeoutMs,
        },
        (message) => dispatcher.dispatch(message),
      );
      this.subscriptions.push(subscription);
      if (subscription.lag) {
        this.observeLag(async () =>
          ((await subscription.lag?.()) ?? []).map((partition): LagSample => ({ ...partition, group, role: 'server' })),
        );
      }
      this.watched.push({ topics: [topic], group, subscription });
      for (const service of sharing) this.logger.log(line(service, topic));
    }
  }

  /**
   * A request topic binds its services: a call for a service served here from another topic is
   * refused (UNIMPLEMENTED), so per-topic ACLs also separate services that share a process.
   */
  private boundToTopics(served: readonly ServedTopic[], execute: RequestExecutor): RequestExecutor {
    const home = new Map(served.flatMap(({ topic, services }) => services.map((service) => [service, topic] as const)));
    return (envelope, message, caller) => {
      const topic = home.get(envelope.serviceName);
      if (topic === undefined || topic === message.topic) return execute(envelope, message, caller);
      return Promise.resolve(
        errorReply(envelope, { code: status.UNIMPLEMENTED, message: VrpcMessages.wrongTopic(envelope.serviceName, message.topic) }),
      );
    };
  }

  /** As `boundToTopics`, for streaming openings. */
  private streamsBoundToTopics(served: readonly ServedTopic[], execute: StreamExecutor): StreamExecutor {
    const home = new Map(served.flatMap(({ topic, services }) => services.map((service) => [service, topic] as const)));
    return (envelope, message, caller) => {
      const topic = home.get(envelope.serviceName);
      if (topic === undefined || topic === message.topic) return execute(envelope, message, caller);
      return errorReply(envelope, { code: status.UNIMPLEMENTED, message: VrpcMessages.wrongTopic(envelope.serviceName, message.topic) });
    };
  }

  private observeLag(source: (() => Promise<LagSample[]>) | undefined): void {
    if (source) this.unobserved.push(this.telemetry.metrics.observeLag(source));
  }

  /** Streams running now. */
  get streamCount(): number {
    return this.streams?.sessions.size ?? 0;
  }

  /** Frames the stream inbox dropped so far, by reason. */
  get droppedFrames(): ReadonlyMap<DroppedFrame, number> {
    return this.streams?.inbox.dropped ?? new Map<DroppedFrame, number>();
  }

  /** The bus, and each subscription's state and lag (see `servingHealth`). */
  health(options?: VrpcHealthOptions): Promise<VrpcHealthReport> {
    return servingHealth(this.options.bus, this.watched, options);
  }

  /**
   * Stops taking requests, finishes those in flight and publishes their replies (waiting at most
   * `drainTimeoutMs`; what is unfinished then is not committed, and is redelivered), commits, leaves;
   * then ends the streams still running with UNAVAILABLE (within `drainTimeoutMs`) and closes the stream inbox.
   */
  async close(): Promise<void> {
    const subscriptions = this.subscriptions;
    this.subscriptions = [];
    for (const remove of this.unobserved.splice(0)) remove();
    this.watched = [];
    await Promise.all(subscriptions.map((subscription) => subscription.close()));
    const streams = this.streams;
    this.streams = undefined;
    await streams?.close();
    for (const dispatcher of this.dispatchers.splice(0)) dispatcher.close();
  }
}
