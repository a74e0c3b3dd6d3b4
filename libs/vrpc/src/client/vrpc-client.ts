import { randomUUID } from 'node:crypto';
import { type Metadata, status } from '@grpc/grpc-js';
import type { OnApplicationShutdown } from '@nestjs/common';
import { type ClientGrpc, ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { map, type Observable } from 'rxjs';
import type { VrpcBus } from '../bus/bus.interface.js';
import { createBus } from '../bus/create-bus.js';
import type { DirectCaller } from '../grpc/direct-caller.js';
import { VrpcCallError } from '../errors/vrpc-call.error.js';
import { VrpcMessages } from '../errors/vrpc.messages.js';
import { ProtoRegistry } from '../protocol/proto-registry.js';
import { streamsTopic } from '../protocol/topic-names.js';
import type { VrpcCallOptions } from './call-options.interface.js';
import { CallRegistry } from './call-registry.js';
import { CallRouter, directCallerFor } from './call-router.js';
import type { VrpcClientConfig } from './client-options.interface.js';
import { clientSettings } from './client-settings.js';
import type { RawReply } from './raw-reply.interface.js';
import { ReplyInbox } from './reply-inbox.js';
import { RequestPublisher } from './request-publisher.js';
import { RequestTopics } from './request-topics.js';
import { parseRpcPattern } from './rpc-pattern.js';
import { createServiceClient } from './service-client.js';
import { ClientStreams } from './client-streams.js';
import type { StreamCaller } from './stream-caller.js';
import type { VrpcStreamHandle, VrpcStreamOpening } from './stream-handle.interface.js';
import { UnaryCaller } from './unary-caller.js';

/**
 * A `ClientProxy` that calls gRPC services over the bus. `getService()` returns the same shape
 * as `ClientGrpc.getService()`; replies come back to this instance only.
 */
export class VrpcClient extends ClientProxy implements ClientGrpc, OnApplicationShutdown {
  /** Identifies this instance: its reply partition and its correlation ids derive from it. */
  readonly instanceId: string;
  private readonly bus: VrpcBus;
  private readonly ownsBus: boolean;
  private readonly protos: ProtoRegistry;
  private readonly calls: CallRegistry;
  private readonly inbox: ReplyInbox;
  private readonly direct: DirectCaller | undefined;
  private readonly caller: UnaryCaller;
  private readonly streams: ClientStreams;
  private readonly streamCaller: StreamCaller;

  /** @param bus a shared bus (from DI); without it the client makes and owns one from the config. */
  constructor(config: VrpcClientConfig, bus?: VrpcBus) {
    super();
    const settings = clientSettings(config);
    this.streams = new ClientStreams(streamsTopic(settings.topics));
    this.bus = bus ?? createBus(config.bus);
    this.ownsBus = bus === undefined;
    this.protos = new ProtoRegistry(config.protos, true);
    this.instanceId = `${settings.instanceIdPrefix}-${randomUUID()}`;
    this.calls = new CallRegistry();
    const topics = new RequestTopics(this.bus, settings.topics);
    const services = this.protos.services.map((service) => service.fullName);
    const { topics: topicOptions, replyInbox, signer } = settings;
    const streams = this.streams.registry;
    this.inbox = new ReplyInbox(this.bus, this.instanceId, topicOptions, topics, services, this.calls, replyInbox, signer, streams);
    this.direct = directCallerFor(settings.fallback);
    const publisher = new RequestPublisher(this.bus, this.inbox, topics, this.calls, settings.signer);
    const router = new CallRouter(publisher, this.calls, settings.fallback, this.direct);
    this.caller = new UnaryCaller(this.instanceId, settings.timeoutMs, this.calls, router);
    this.streamCaller = this.streams.attach(this.bus, this.inbox, topics, settings, this.instanceId, () => this.calls.nextId());
  }

  /** Calls waiting for a reply. */
  get pendingCount(): number {
    return this.calls.size;
  }

  /** Connects and resolves once replies to this instance cannot be missed; idempotent. */
  async connect(): Promise<void> {
    await this.inbox.get();
  }

  /** Fails the calls still waiting and the live streams (UNAVAILABLE, streams cancelled), closes the inbox, and the bus if it owns it. */
  async close(): Promise<void> {
    this.calls.failAll(() => new VrpcCallError(status.UNAVAILABLE, VrpcMessages.clientClosed));
    this.streams.close();
    await this.inbox.close();
    this.direct?.close();
    if (this.ownsBus) await this.bus.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** A client for one proto service, shaped like `ClientGrpc.getService<T>()`. */
  getService<T = object>(name: string): T {
    return createServiceClient<T>(this.protos.get(name), this.caller, this.streamCaller);
  }

  /**
   * For `ClientGrpc` compatibility. There is no grpc-js channel client behind vRPC: this
   * returns the same object as `getService()`.
   */
  getClientByServiceName<T = object>(name: string): T {
    return this.getService<object>(name) as T;
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  /**
   * Makes one unary call with a payload already encoded (the bytes gRPC would send) and
   * emits the reply's payload bytes. For interceptors and gateways that must not re-encode.
   */
  callRaw(serviceName: string, methodName: string, payload: Buffer, metadata?: Metadata, options?: VrpcCallOptions): Observable<Buffer> {
    return this.callRawReply(serviceName, methodName, payload, metadata, options).pipe(map((reply) => reply.payload));
  }

  /** Like `callRaw`, but emits the reply's metadata too (with `vrpc-path`: `bus` or `direct`). */
  callRawReply(
    serviceName: string,
    methodName: string,
    payload: Buffer,
    metadata?: Metadata,
    options?: VrpcCallOptions,
  ): Observable<RawReply> {
    return this.caller.callRawReply(serviceName, methodName, payload, metadata, options);
  }

  /** A raw streaming call, bytes in and out (for the interceptor): `request` is a server-streaming call's one request. */
  openStream(opening: VrpcStreamOpening): VrpcStreamHandle {
    return this.streamCaller.open(opening);
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const { service, rpc } = parseRpcPattern(packet.pattern);
    const proto = this.protos.get(service);
    const caller = proto.methods.get(rpc)?.streaming ? this.streamCaller : this.caller;
    const subscription = caller.call(proto, rpc, packet.data).subscribe({
      next: (response) => callback({ response }),
      error: (err: unknown) => callback({ err }),
      complete: () => callback({ isDisposed: true }),
    });
    return () => subscription.unsubscribe();
  }

  /** Fire-and-forget: sends a one-way call (deadline and fallback routes as for calls); no reply is awaited. */
  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const { service, rpc } = parseRpcPattern(packet.pattern);
    await this.caller.emit(this.protos.get(service), rpc, packet.data);
    return undefined as T;
  }
}
