import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, ServerGrpc } from '@nestjs/microservices';
import type { BusSubscription, VrpcBus } from '../bus/bus.interface.js';
import { createBus } from '../bus/create-bus.js';
import { ProtoRegistry } from '../protocol/proto-registry.js';
import type { VrpcModuleOptions } from '../module/vrpc-options.interface.js';
import { deadLetterTopic, replyTopic, requestTopic } from '../protocol/topic-names.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_GROUP_PREFIX,
  DEFAULT_REPLY_PARTITIONS,
  DEFAULT_REQUEST_PARTITIONS,
  DEFAULT_TASK_LEASE_MS,
  DEFAULT_TASK_POLL_MS,
  DEFAULT_TASK_TTL_MS,
} from '../protocol/vrpc.constants.js';
import { createTaskStore } from '../task/create-task-store.js';
import { TaskCoordinator } from '../task/task-coordinator.js';
import type { TaskStore } from '../task/task-store.interface.js';
import { indexGrpcHandlers } from './handler-index.js';
import { nestHandlerExecutor } from './nest-handler.executor.js';
import { RequestDispatcher } from '../serving/request-dispatcher.js';
import { capabilityWarnings } from '../serving/capability-warnings.js';

/**
 * A Nest transport strategy that serves the app's `@GrpcMethod` handlers from request
 * topics. In a hybrid app the same controllers are served over `Transport.GRPC` as well.
 *
 * It extends `ServerGrpc` so that Nest binds handler arguments as it does for gRPC
 * (`data, metadata, call`); it never opens a gRPC port.
 */
export class VrpcServer extends ServerGrpc implements CustomTransportStrategy {
  protected override readonly logger = new Logger(VrpcServer.name);
  private readonly bus: VrpcBus;
  private readonly ownsBus: boolean;
  /** Identifies this server instance (in task lease owners). */
  readonly instanceId = `server-${randomUUID()}`;
  private readonly taskStore: TaskStore;
  private readonly ownsTaskStore: boolean;
  private subscriptions: BusSubscription[] = [];

  /**
   * @param bus a shared bus (from DI); without it the server makes and owns one from the options.
   * @param taskStore a shared task store (from DI); without it the server makes and owns one.
   */
  constructor(
    private readonly vrpcOptions: VrpcModuleOptions,
    bus?: VrpcBus,
    taskStore?: TaskStore,
  ) {
    const first = Array.isArray(vrpcOptions.protos) ? vrpcOptions.protos[0] : vrpcOptions.protos;
    super({ protoPath: first?.protoPath ?? [], package: first?.package ?? [], loader: first?.loader });
    this.bus = bus ?? createBus(vrpcOptions);
    this.ownsBus = bus === undefined;
    this.taskStore = taskStore ?? createTaskStore(vrpcOptions.tasks);
    this.ownsTaskStore = taskStore === undefined;
  }

  override async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.serve();
      callback();
    } catch (error: unknown) {
      callback(error);
    }
  }

  /** Stops taking requests, finishes those in flight, publishes their replies, commits, leaves. */
  override async close(): Promise<void> {
    const subscriptions = this.subscriptions;
    this.subscriptions = [];
    await Promise.all(subscriptions.map((subscription) => subscription.close()));
    if (this.ownsBus) await this.bus.close();
    if (this.ownsTaskStore) await this.taskStore.close();
  }

  /** Keeps the pattern extras (where `@VrpcTask` lives), which `ServerGrpc` would drop. */
  override addHandler(pattern: unknown, callback: MessageHandler, isEventHandler = false, extras: Record<string, unknown> = {}): void {
    callback.extras = extras;
    super.addHandler(pattern, callback, isEventHandler);
  }

  override on(): never {
    throw new Error('VrpcServer does not emit events; use the bus health check instead');
  }

  override unwrap<T>(): T {
    return this.bus as T;
  }

  private async serve(): Promise<void> {
    const { topics = {} } = this.vrpcOptions;
    const registry = new ProtoRegistry(this.vrpcOptions.protos);
    const handlers = indexGrpcHandlers(this.messageHandlers, registry);
    const served = registry.services.filter((service) =>
      [...service.methods.keys()].some((method) => handlers.has(`${service.fullName}/${method}`)),
    );
    await this.bus.connect();
    const dead = deadLetterTopic(topics);
    await this.bus.ensureTopics([
      { topic: dead, partitions: 1, replicationFactor: topics.replicationFactor },
      { topic: replyTopic(topics), partitions: topics.replyPartitions ?? DEFAULT_REPLY_PARTITIONS, replicationFactor: topics.replicationFactor },
      ...served.map((service) => ({
        topic: requestTopic(service.fullName, topics),
        partitions: topics.requestPartitions ?? DEFAULT_REQUEST_PARTITIONS,
        replicationFactor: topics.replicationFactor,
      })),
    ]);
    const { tasks: taskOptions = {} } = this.vrpcOptions;
    const execute = nestHandlerExecutor({
      registry,
      handlers,
      toObservable: (result) => this.transformToObservable(result),
      tasks: {
        coordinator: new TaskCoordinator(this.taskStore, taskOptions.pollMs ?? DEFAULT_TASK_POLL_MS),
        ttlMs: taskOptions.ttlMs ?? DEFAULT_TASK_TTL_MS,
        leaseMs: taskOptions.leaseMs ?? DEFAULT_TASK_LEASE_MS,
        instanceId: this.instanceId,
      },
    });
    const dispatcher = new RequestDispatcher({ bus: this.bus, execute, deadLetterTopic: dead, maxDeliveries: this.vrpcOptions.maxDeliveries });
    for (const warning of capabilityWarnings(this.bus, this.vrpcOptions)) this.logger.warn(warning);
    for (const service of served) {
      const subscription = await this.bus.subscribe(
        {
          topics: [requestTopic(service.fullName, topics)],
          group: `${this.vrpcOptions.groupPrefix ?? DEFAULT_GROUP_PREFIX}${service.fullName}`,
          concurrency: this.vrpcOptions.concurrency ?? DEFAULT_CONCURRENCY,
          orderByKey: true,
        },
        (message) => dispatcher.dispatch(message),
      );
      this.subscriptions.push(subscription);
      this.logger.log(`serving ${service.fullName} from ${requestTopic(service.fullName, topics)}`);
    }
    if (served.length === 0) this.logger.warn('no @GrpcMethod handler matches the loaded protos; nothing is served');
  }
}
