import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, ServerGrpc } from '@nestjs/microservices';
import type { VrpcBus } from '../bus/bus.interface.js';
import { createBus } from '../bus/create-bus.js';
import { ProtoRegistry } from '../protocol/proto-registry.js';
import { DEFAULT_TASK_LEASE_MS, DEFAULT_TASK_POLL_MS, DEFAULT_TASK_TTL_MS } from '../protocol/vrpc.constants.js';
import { RequestTopicsServer } from '../serving/request-topics-server.js';
import type { VrpcHealthOptions, VrpcHealthReport } from '../serving/serving-health.js';
import { serverStreamSettings } from '../serving/stream-config.js';
import { headerSet } from '../protocol/wire-headers.js';
import { createTaskStore } from '../task/create-task-store.js';
import { TaskCoordinator } from '../task/task-coordinator.js';
import type { TaskStore } from '../task/task-store.interface.js';
import { indexGrpcHandlers } from './handler-index.js';
import { nestHandlerExecutor } from './nest-handler.executor.js';
import { nestStreamExecutor } from './nest-stream.executor.js';
import { StreamMessages } from '../errors/vrpc.messages.js';
import type { ServedStreams } from '../serving/request-topics-server.js';
import type { VrpcServerConfig } from './server-options.interface.js';
import { VrpcTelemetry } from '../telemetry/vrpc-telemetry.js';
import type { ProcessingHooks } from './processing-hooks.js';

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
  private readonly requests: RequestTopicsServer;
  private readonly telemetry: VrpcTelemetry;
  /** Nest's own start hook (it only calls `done`): while it is set and no end hook is, no call pays for hooks. */
  private readonly noStartHook = this.onProcessingStartHook;

  /**
   * @param vrpcConfig protos, bus and topics (shared with the client) and `server`, its own settings.
   * @param bus a shared bus (from DI); without it the server makes and owns one from `vrpcConfig.bus`.
   * @param taskStore a shared task store (from DI); without it the server makes and owns one.
   */
  constructor(
    private readonly vrpcConfig: VrpcServerConfig,
    bus?: VrpcBus,
    taskStore?: TaskStore,
  ) {
    const first = Array.isArray(vrpcConfig.protos) ? vrpcConfig.protos[0] : vrpcConfig.protos;
    super({ protoPath: first?.protoPath ?? [], package: first?.package ?? [], loader: first?.loader });
    this.bus = bus ?? createBus(vrpcConfig.bus);
    this.ownsBus = bus === undefined;
    // A mistake in `server.streams` or `server.headers` fails here, not at the first stream or reply.
    serverStreamSettings(vrpcConfig.server?.streams);
    headerSet(vrpcConfig.server?.headers, 'server.headers');
    this.taskStore = taskStore ?? createTaskStore(vrpcConfig.server?.tasks);
    this.ownsTaskStore = taskStore === undefined;
    this.telemetry = new VrpcTelemetry(this.bus.system ?? 'vrpc-bus');
    this.requests = new RequestTopicsServer({
      bus: this.bus,
      topics: vrpcConfig.topics,
      serving: vrpcConfig.server,
      security: vrpcConfig.security,
      name: VrpcServer.name,
      telemetry: this.telemetry,
    });
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
    await this.requests.close();
    if (this.ownsBus) await this.bus.close();
    if (this.ownsTaskStore) await this.taskStore.close();
  }

  /**
   * Whether this server can serve: the bus answers within `timeoutMs` (default 2 s), every
   * subscription is consuming, and no partition's lag is over `maxLag` (no limit by default).
   */
  health(options?: VrpcHealthOptions): Promise<VrpcHealthReport> {
    return this.requests.health(options);
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
    const registry = new ProtoRegistry(this.vrpcConfig.protos);
    const streamCalls = new Set<string>();
    const handlers = indexGrpcHandlers(this.messageHandlers, registry, streamCalls);
    const served = registry.services.filter((service) =>
      [...service.methods.keys()].some((method) => handlers.has(`${service.fullName}/${method}`)),
    );
    const { tasks = {} } = this.vrpcConfig.server ?? {};
    const hooks = (): ProcessingHooks | undefined => this.processingHooks();
    const execute = nestHandlerExecutor({
      registry,
      handlers,
      toObservable: (result) => this.transformToObservable(result),
      tasks: {
        coordinator: new TaskCoordinator(this.taskStore, tasks.pollMs ?? DEFAULT_TASK_POLL_MS),
        ttlMs: tasks.ttlMs ?? DEFAULT_TASK_TTL_MS,
        leaseMs: tasks.leaseMs ?? DEFAULT_TASK_LEASE_MS,
        instanceId: this.instanceId,
      },
      hooks,
    });
    await this.requests.start(
      served.map((service) => service.fullName),
      execute,
      undefined,
      this.servedStreams(registry, handlers, streamCalls),
    );
    for (const key of streamCalls) this.logger.warn(StreamMessages.streamCall(...(key.split('/') as [string, string])));
    if (served.length === 0) this.logger.warn('no @GrpcMethod handler matches the loaded protos; nothing is served');
  }

  /** Nest's processing hooks as the executors run them, when the app (or an integration) set one. */
  private processingHooks(): ProcessingHooks | undefined {
    if (this.onProcessingStartHook === this.noStartHook && !this.onProcessingEndHook) return undefined;
    return {
      run: (context, fn) => this.runWithProcessingHooks(context, fn),
      logger: this.logger,
      traceId: () => this.telemetry.activeTraceId(),
    };
  }

  /** The streams this server serves, when any served method streams: it then opens its stream inbox at start. */
  private servedStreams(
    registry: ProtoRegistry,
    handlers: Map<string, MessageHandler>,
    streamCalls: Set<string>,
  ): ServedStreams | undefined {
    const streams = registry.services.some((service) =>
      [...service.methods.values()].some((method) => method.streaming && handlers.has(`${service.fullName}/${method.name}`)),
    );
    if (!streams) return undefined;
    const execute = nestStreamExecutor({
      registry,
      handlers,
      streamCalls,
      toObservable: (result) => this.transformToObservable(result),
      hooks: () => this.processingHooks(),
    });
    return { instanceId: this.instanceId, execute };
  }
}
