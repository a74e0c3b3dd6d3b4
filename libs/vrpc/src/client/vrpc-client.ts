import { type Metadata, status } from '@grpc/grpc-js';
import type { OnApplicationShutdown } from '@nestjs/common';
import { type ClientGrpc, ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { map, type Observable } from 'rxjs';
import type { VrpcBus } from '../bus/bus.interface.js';
import type { DirectCaller } from '../grpc/direct-caller.js';
import { VrpcCallError } from '../errors/vrpc-call.error.js';
import { VrpcMessages } from '../errors/vrpc.messages.js';
import type { ProtoRegistry } from '../protocol/proto-registry.js';
import type { VrpcCallOptions } from './call-options.interface.js';
import type { CallRegistry } from './call-registry.js';
import { wireClient } from './client-wiring.js';
import type { VrpcClientConfig } from './client-options.interface.js';
import type { RawReply } from './raw-reply.interface.js';
import type { ReplyInbox } from './reply-inbox.js';
import { parseRpcPattern } from './rpc-pattern.js';
import { createServiceClient } from './service-client.js';
import type { ClientStreams } from './client-streams.js';
import type { StreamCaller } from './stream-caller.js';
import type { VrpcStreamHandle, VrpcStreamOpening } from './stream-handle.interface.js';
import type { UnaryCaller } from './unary-caller.js';

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
    const parts = wireClient(config, bus);
    this.bus = parts.bus;
    this.ownsBus = parts.ownsBus;
    this.protos = parts.protos;
    this.instanceId = parts.instanceId;
    this.calls = parts.calls;
    this.inbox = parts.inbox;
    this.direct = parts.direct;
    this.caller = parts.caller;
    this.streams = parts.streams;
    this.streamCaller = parts.streamCaller;
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
