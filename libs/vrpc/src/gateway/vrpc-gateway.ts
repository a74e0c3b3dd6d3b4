import { Logger } from '@nestjs/common';
import type { BusSubscription, VrpcBus } from '../bus/bus.interface.js';
import { createBus } from '../bus/create-bus.js';
import { RequestDispatcher } from '../serving/request-dispatcher.js';
import { capabilityWarnings } from '../serving/capability-warnings.js';
import type { RequestExecutor } from '../serving/request-executor.interface.js';
import { deadLetterTopic, replyTopic, requestTopic } from '../protocol/topic-names.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_GROUP_PREFIX,
  DEFAULT_REPLY_PARTITIONS,
  DEFAULT_REQUEST_PARTITIONS,
} from '../protocol/vrpc.constants.js';
import type { VrpcGatewayHealth, VrpcGatewayOptions, VrpcGatewayState } from './gateway-options.interface.js';
import { GatewayMessages } from '../errors/vrpc.messages.js';
import { grpcForwardExecutor } from '../grpc/grpc-forward.executor.js';
import { GrpcTargetPool } from '../grpc/grpc-target-pool.js';

/**
 * Serves services from their request topics by forwarding each request to a gRPC server
 * (the original vRPC's downstream proxy). It joins the same consumer groups a `VrpcServer`
 * would, so gateways and Nest servers of one service share its load; it needs no protos.
 */
export class VrpcGateway {
  private readonly logger = new Logger(VrpcGateway.name);
  private readonly bus: VrpcBus;
  private readonly ownsBus: boolean;
  private readonly pool: GrpcTargetPool;
  private subscriptions: BusSubscription[] = [];
  private current: VrpcGatewayState = 'idle';
  private closing: Promise<void> | undefined;
  private forwarding = 0;

  /** @param bus a shared bus; without it the gateway makes and owns one from the options. */
  constructor(
    private readonly options: VrpcGatewayOptions,
    bus?: VrpcBus,
  ) {
    const services = Object.keys(options.targets);
    if (services.length === 0) throw new Error(GatewayMessages.noTargets);
    // Fail on an illegal topic name now rather than on start.
    for (const service of services) requestTopic(service, options.topics);
    this.pool = new GrpcTargetPool(options.targets, options.credentials, options.channelOptions);
    this.bus = bus ?? createBus(options);
    this.ownsBus = bus === undefined;
  }

  get state(): VrpcGatewayState {
    return this.current;
  }

  /** Requests being forwarded now. */
  get inFlight(): number {
    return this.forwarding;
  }

  /** Creates missing topics and subscribes to every configured service's request topic. */
  async start(): Promise<void> {
    if (this.current !== 'idle') throw new Error(GatewayMessages.cannotStart(this.current));
    this.current = 'starting';
    try {
      await this.subscribeAll();
      this.pool.connect();
      this.current = 'running';
    } catch (error: unknown) {
      await this.closeSubscriptions();
      this.current = 'idle';
      throw error;
    }
  }

  /**
   * Stops taking requests, finishes those in flight and publishes their replies, commits and
   * leaves the groups; then closes the gRPC channels, and the bus if it owns it. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  async health(): Promise<VrpcGatewayHealth> {
    const bus = await this.bus.health();
    return {
      healthy: this.current === 'running' && bus.healthy,
      state: this.current,
      bus,
      inFlight: this.forwarding,
      targets: this.pool.health(),
    };
  }

  private async subscribeAll(): Promise<void> {
    const { topics = {} } = this.options;
    const dead = deadLetterTopic(topics);
    const services = this.pool.services;
    await this.bus.connect();
    await this.bus.ensureTopics([
      { topic: dead, partitions: 1, replicationFactor: topics.replicationFactor },
      { topic: replyTopic(topics), partitions: topics.replyPartitions ?? DEFAULT_REPLY_PARTITIONS, replicationFactor: topics.replicationFactor },
      ...services.map((service) => ({
        topic: requestTopic(service, topics),
        partitions: topics.requestPartitions ?? DEFAULT_REQUEST_PARTITIONS,
        replicationFactor: topics.replicationFactor,
      })),
    ]);
    const dispatcher = new RequestDispatcher({ bus: this.bus, execute: this.counted(grpcForwardExecutor(this.pool)), deadLetterTopic: dead, maxDeliveries: this.options.maxDeliveries, name: VrpcGateway.name });
    for (const warning of capabilityWarnings(this.bus, this.options)) this.logger.warn(warning);
    // Joined one by one: a failure leaves only the ones made so far to close.
    for (const service of services) {
      const subscription = await this.bus.subscribe(
        {
          topics: [requestTopic(service, topics)],
          group: `${this.options.groupPrefix ?? DEFAULT_GROUP_PREFIX}${service}`,
          concurrency: this.options.concurrency ?? DEFAULT_CONCURRENCY,
          orderByKey: true,
        },
        (message) => dispatcher.dispatch(message),
      );
      this.subscriptions.push(subscription);
      this.logger.log(`forwarding ${service} from ${requestTopic(service, topics)} to ${this.options.targets[service]}`);
    }
  }

  private counted(execute: RequestExecutor): RequestExecutor {
    return async (envelope, message) => {
      this.forwarding++;
      try {
        return await execute(envelope, message);
      } finally {
        this.forwarding--;
      }
    };
  }

  private async shutdown(): Promise<void> {
    this.current = 'closing';
    this.logger.log(`closing: no new requests; finishing ${this.forwarding} in flight`);
    await this.closeSubscriptions();
    this.pool.close();
    if (this.ownsBus) await this.bus.close();
    this.current = 'closed';
    this.logger.log('closed');
  }

  private async closeSubscriptions(): Promise<void> {
    const subscriptions = this.subscriptions;
    this.subscriptions = [];
    await Promise.all(subscriptions.map((subscription) => subscription.close()));
  }
}
