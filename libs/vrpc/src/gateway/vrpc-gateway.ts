import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { VrpcBus } from '../bus/bus.interface.js';
import { createBus } from '../bus/create-bus.js';
import { requestTopic } from '../protocol/topic-names.js';
import type { RequestExecutor } from '../serving/request-executor.interface.js';
import { RequestTopicsServer } from '../serving/request-topics-server.js';
import type { VrpcHealthOptions } from '../serving/serving-health.js';
import type { VrpcGatewayHealth, VrpcGatewayOptions, VrpcGatewayState } from './gateway-options.interface.js';
import { ConfigMessages, GatewayMessages } from '../errors/vrpc.messages.js';
import { VrpcConfigError } from '../errors/vrpc-config.error.js';
import { grpcForwardExecutor } from '../grpc/grpc-forward.executor.js';
import { grpcStreamForwardExecutor } from '../grpc/grpc-stream-forward.executor.js';
import type { StreamExecutor } from '../serving/stream-executor.interface.js';
import { serverStreamSettings } from '../serving/stream-config.js';
import { headerSet } from '../protocol/wire-headers.js';
import { GrpcTargetPool } from '../grpc/grpc-target-pool.js';
import { VrpcTelemetry } from '../telemetry/vrpc-telemetry.js';

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
  private readonly requests: RequestTopicsServer;
  private readonly telemetry: VrpcTelemetry;
  private current: VrpcGatewayState = 'idle';
  private closing: Promise<void> | undefined;
  private forwarding = 0;
  /** Identifies this gateway instance (its stream inbox). */
  readonly instanceId = `gateway-${randomUUID()}`;

  /** @param bus a shared bus; without it the gateway makes and owns one from the options. */
  constructor(
    private readonly options: VrpcGatewayOptions,
    bus?: VrpcBus,
  ) {
    const services = Object.keys(options.targets);
    if (services.length === 0) throw new VrpcConfigError('targets', ConfigMessages.noTargets);
    // Fail on an illegal topic name now rather than on start.
    for (const service of services) requestTopic(service, options.topics);
    serverStreamSettings(options.streams, 'streams');
    headerSet(options.headers, 'headers');
    this.pool = new GrpcTargetPool(options.targets, options.credentials, options.channelOptions);
    this.bus = bus ?? createBus(options.bus);
    this.ownsBus = bus === undefined;
    this.telemetry = new VrpcTelemetry(this.bus.system ?? 'vrpc-bus');
    this.requests = new RequestTopicsServer({
      bus: this.bus,
      topics: options.topics,
      serving: options,
      security: options.security,
      name: VrpcGateway.name,
      telemetry: this.telemetry,
    });
  }

  get state(): VrpcGatewayState {
    return this.current;
  }

  /** Requests and streams being forwarded now. */
  get inFlight(): number {
    return this.forwarding;
  }

  /** Creates missing topics and subscribes to every configured service's request topic. */
  async start(): Promise<void> {
    if (this.current !== 'idle') throw new Error(GatewayMessages.cannotStart(this.current));
    this.current = 'starting';
    try {
      await this.requests.start(
        this.pool.services,
        this.counted(grpcForwardExecutor(this.pool, this.telemetry)),
        (service, topic) => `forwarding ${service} from ${topic} to ${this.options.targets[service]}`,
        // Without protos it cannot tell whether a service streams: its stream inbox opens at start, always;
        // without rights on the streams topic it serves unary calls and refuses streams UNAVAILABLE.
        { instanceId: this.instanceId, execute: this.countedStreams(grpcStreamForwardExecutor(this.pool, this.telemetry)), optional: true },
      );
      this.pool.connect();
      this.current = 'running';
    } catch (error: unknown) {
      await this.requests.close();
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

  /** As `VrpcServer.health()`, plus the gateway's state, requests in flight and its targets. */
  async health(options?: VrpcHealthOptions): Promise<VrpcGatewayHealth> {
    const { bus, subscriptions, reasons } = await this.requests.health(options);
    if (this.current !== 'running') reasons.unshift(`the gateway is ${this.current}`);
    return {
      healthy: reasons.length === 0,
      state: this.current,
      bus,
      subscriptions,
      reasons,
      inFlight: this.forwarding,
      targets: this.pool.health(),
    };
  }

  private counted(execute: RequestExecutor): RequestExecutor {
    // The caller's identity is the gateway's to check (its own guards, signing); the gRPC
    // forwarder does not pass it on, as a backend could not tell it from metadata a caller wrote.
    return async (envelope, message, caller) => {
      this.forwarding++;
      try {
        return await execute(envelope, message, caller);
      } finally {
        this.forwarding--;
      }
    };
  }

  /** A stream counts as in flight from its acceptance to its end. */
  private countedStreams(execute: StreamExecutor): StreamExecutor {
    return (envelope, message, caller) => {
      const handler = execute(envelope, message, caller);
      if (typeof handler !== 'function') return handler;
      return (io) => {
        this.forwarding++;
        io.signal.addEventListener('abort', () => this.forwarding--, { once: true });
        handler(io);
      };
    };
  }

  private async shutdown(): Promise<void> {
    this.current = 'closing';
    this.logger.log(`closing: no new requests; finishing ${this.forwarding} in flight`);
    await this.requests.close();
    this.pool.close();
    if (this.ownsBus) await this.bus.close();
    this.current = 'closed';
    this.logger.log('closed');
  }
}
