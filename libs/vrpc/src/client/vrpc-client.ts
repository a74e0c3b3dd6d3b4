import { randomUUID } from 'node:crypto';
import { type Metadata, status } from '@grpc/grpc-js';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type ClientGrpc, ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { map, Observable, throwError } from 'rxjs';
import type { BusInbox, IncomingMessage, VrpcBus } from '../bus/bus.interface.js';
import { createBus } from '../bus/create-bus.js';
import { asBuffer } from '../protocol/bytes.js';
import { decodeResponse, type ResponseEnvelope } from '../protocol/envelope.js';
import { mapToMetadata } from '../protocol/metadata.codec.js';
import { ProtoRegistry, type RpcService } from '../protocol/proto-registry.js';
import { VrpcCallError } from '../errors/vrpc-call.error.js';
import { LazyConnection } from '../utils/lazy-connection.js';
import { raceDeadline } from '../utils/race-deadline.js';
import { retryUntil } from '../utils/retry.js';
import { replyTopic, requestTopic } from '../protocol/topic-names.js';
import {
  DEFAULT_REPLY_PARTITIONS,
  DEFAULT_REQUEST_PARTITIONS,
  DEFAULT_TIMEOUT_MS,
} from '../protocol/vrpc.constants.js';
import { VrpcMessages } from '../errors/vrpc.messages.js';
import type { VrpcCallOptions } from './call-options.interface.js';
import type { VrpcClientConfig, VrpcClientOptions } from './client-options.interface.js';
import { DirectCaller } from '../grpc/direct-caller.js';
import { PendingCalls, type ReplySink } from './pending-calls.js';
import { VRPC_PATH_METADATA } from '../protocol/vrpc.constants.js';
import type { RawReply } from './raw-reply.interface.js';
import { requestEnvelope, requestMessage, type RequestParts } from './request-message.js';
import { resolveDeadline } from './resolve-deadline.js';
import { parseRpcPattern } from './rpc-pattern.js';
import { createServiceClient } from './service-client.js';

const DEFAULT_BUS_TIMEOUT_MS = 2_000;

/** A reply's metadata as gRPC metadata, with the path that served it. */
function replyMetadata(reply: ResponseEnvelope, path: 'bus' | 'direct'): Metadata {
  const metadata = mapToMetadata(reply.metadata);
  metadata.set(VRPC_PATH_METADATA, path);
  return metadata;
}

/** A reply as `callRawReply` emits it. */
function rawReply(reply: ResponseEnvelope, path: 'bus' | 'direct'): RawReply {
  // Most callers never read a reply's metadata: build it on first use.
  let metadata: Metadata | undefined;
  return {
    payload: asBuffer(reply.payload),
    get metadata(): Metadata {
      return (metadata ??= replyMetadata(reply, path));
    },
    set metadata(value: Metadata) {
      metadata = value;
    },
  };
}

/**
 * A `ClientProxy` that calls gRPC services over the bus. `getService()` returns the same shape
 * as `ClientGrpc.getService()`; replies come back to this instance only.
 */
export class VrpcClient extends ClientProxy implements ClientGrpc, OnApplicationShutdown {
  private readonly logger = new Logger(VrpcClient.name);
  private readonly bus: VrpcBus;
  private readonly ownsBus: boolean;
  private readonly registry: ProtoRegistry;
  private readonly pending = new PendingCalls();
  /** Identifies this instance: its reply partition and its correlation ids derive from it. */
  readonly instanceId: string;
  private sequence = 0;
  private readonly inbox = new LazyConnection<BusInbox>(() => this.openInbox());
  private readonly ensuredTopics = new Map<string, Promise<void>>();
  /** Services whose request topic is known to exist: their calls publish without waiting for it. */
  private readonly readyTopics = new Set<string>();
  /** Request topics by service name, computed (and checked) once each. */
  private readonly requestTopics = new Map<string, string>();
  /** The inbox connection `openedInbox` came from; the latter is only current while the former is. */
  private inboxAttempt: Promise<BusInbox> | undefined;
  private openedInbox: BusInbox | undefined;
  private readonly direct: DirectCaller | undefined;
  private readonly settings: VrpcClientOptions;

  /** @param bus a shared bus (from DI); without it the client makes and owns one from the options. */
  constructor(
    private readonly options: VrpcClientConfig,
    bus?: VrpcBus,
  ) {
    super();
    this.bus = bus ?? createBus(options.bus);
    this.ownsBus = bus === undefined;
    this.registry = new ProtoRegistry(options.protos, true);
    this.settings = options.client ?? {};
    const { fallback } = this.settings;
    this.direct = fallback && Object.keys(fallback).length > 0 ? new DirectCaller(Object.fromEntries(Object.entries(fallback).map(([service, route]) => [service, route.address]))) : undefined;
    this.instanceId = `${this.settings.instanceIdPrefix ?? 'vrpc'}-${randomUUID()}`;
  }

  /** Calls waiting for a reply. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Connects and resolves once replies to this instance cannot be missed; idempotent. */
  async connect(): Promise<void> {
    await this.ready();
  }

  /** Fails the calls still waiting (UNAVAILABLE), closes the inbox, and the bus if it owns it. */
  async close(): Promise<void> {
    for (const call of this.pending.takeAll()) {
      call.sink.error(new VrpcCallError(status.UNAVAILABLE, VrpcMessages.clientClosed));
    }
    await this.inbox.take()?.then((inbox) => inbox.close(), () => undefined);
    this.direct?.close();
    if (this.ownsBus) await this.bus.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** A client for one proto service, shaped like `ClientGrpc.getService<T>()`. */
  getService<T = object>(name: string): T {
    return createServiceClient<T>(this.registry.get(name), (service, method, data, metadata, options) =>
      this.call(service, method, data, metadata, options),
    );
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

  /** Makes one unary call; the request is published on subscription. */
  call(
    service: RpcService,
    methodName: string,
    data: unknown,
    metadata?: Metadata,
    options?: VrpcCallOptions,
  ): Observable<unknown> {
    const method = service.methods.get(methodName);
    if (!method) {
      return throwError(() => new VrpcCallError(status.UNIMPLEMENTED, VrpcMessages.unknownMethod(service.fullName, methodName)));
    }
    // One Observable straight on the pending call, decoding in its sink: this is every call's path.
    return new Observable<unknown>((subscriber) => {
      let payload: Buffer;
      try {
        payload = method.encodeRequest(data);
      } catch (error: unknown) {
        subscriber.error(error);
        return undefined;
      }
      return this.startCall(service.fullName, method.name, payload, metadata, options, {
        reply: (reply, path) => {
          let value: unknown;
          try {
            options?.onResponseMetadata?.(replyMetadata(reply, path));
          } catch (error: unknown) {
            subscriber.error(error);
            return;
          }
          try {
            value = method.decodeResponse(asBuffer(reply.payload));
          } catch (error: unknown) {
            subscriber.error(new VrpcCallError(status.INTERNAL, `vRPC: reply could not be decoded: ${String(error)}`));
            return;
          }
          subscriber.next(value);
          subscriber.complete();
        },
        error: (error) => subscriber.error(error),
      });
    });
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
    return new Observable<RawReply>((subscriber) =>
      this.startCall(serviceName, methodName, payload, metadata, options, {
        reply: (reply, path) => {
          subscriber.next(rawReply(reply, path));
          subscriber.complete();
        },
        error: (error) => subscriber.error(error),
      }),
    );
  }

  /** Starts one call whose outcome goes to `sink`; returns what forgets it (on unsubscribe). */
  private startCall(
    serviceName: string,
    methodName: string,
    payload: Buffer,
    metadata: Metadata | undefined,
    options: VrpcCallOptions | undefined,
    sink: ReplySink,
  ): () => void {
    const now = Date.now();
    const deadline = resolveDeadline(options, this.settings.timeoutMs ?? DEFAULT_TIMEOUT_MS, now);
    const id = this.nextId();
    const timer = setTimeout(() => {
      this.pending.take(id)?.sink.error(new VrpcCallError(status.DEADLINE_EXCEEDED, VrpcMessages.deadlineExceeded(deadline - now)));
    }, Math.max(0, deadline - now));
    this.pending.add(id, { sink, timer });
    const parts = { clientId: this.instanceId, serviceName, method: methodName, id, payload, metadata, options, deadline, now };
    // Without fallback routes every call goes over the bus: no routing step.
    const sent = this.direct ? this.route(parts) : this.publishRequest(parts, deadline);
    sent.catch((error: unknown) => {
      this.pending.take(id)?.sink.error(new VrpcCallError(status.UNAVAILABLE, VrpcMessages.publishFailed(String(error))));
    });
    return () => void this.pending.take(id);
  }

  /** Sends a call on its way: over the bus, or directly where a fallback route says so. */
  private async route(parts: RequestParts): Promise<void> {
    // Already late (a deadline in the past): the timer answers; nothing is sent.
    if (parts.deadline <= Date.now()) return;
    const fallback = this.settings.fallback?.[parts.serviceName];
    if (fallback?.mode === 'direct-first' && this.direct) {
      const reply = await this.direct.call(requestEnvelope(parts));
      if (!DirectCaller.unreachable(reply)) return this.settle(reply, 'direct');
    }
    if (fallback?.mode === 'bus-first' && this.direct) {
      const budget = Math.min(parts.deadline, Date.now() + (fallback.busTimeoutMs ?? DEFAULT_BUS_TIMEOUT_MS));
      try {
        return await raceDeadline(this.publishRequest(parts, budget), budget, 'publishing on the bus');
      } catch {
        return this.settle(await this.direct.call(requestEnvelope(parts)), 'direct');
      }
    }
    await this.publishRequest(parts, parts.deadline);
  }

  /** Publishes a request, retrying until `until`: a bus outage shorter than that delays the call only. */
  private publishRequest(parts: RequestParts, until: number): Promise<void> {
    return retryUntil(until, () => this.tryPublishRequest(parts));
  }

  /** One attempt; once the inbox is open and the topic exists, without waiting for either. */
  private tryPublishRequest(parts: RequestParts): Promise<void> {
    const inbox = this.inbox.current() === this.inboxAttempt ? this.openedInbox : undefined;
    if (!inbox || !this.readyTopics.has(parts.serviceName)) return this.publishRequestWhenReady(parts);
    if (!this.pending.has(parts.id)) return Promise.resolve();
    return this.bus.publish([requestMessage(requestEnvelope(parts, inbox), this.requestTopicOf(parts.serviceName))]);
  }

  private async publishRequestWhenReady(parts: RequestParts): Promise<void> {
    const inbox = await this.ready();
    if (!this.pending.has(parts.id)) return;
    await this.ensureRequestTopic(parts.serviceName);
    await this.bus.publish([requestMessage(requestEnvelope(parts, inbox), this.requestTopicOf(parts.serviceName))]);
  }

  /** The request topic of a service; checked once (an invalid name throws every time). */
  private requestTopicOf(serviceName: string): string {
    let topic = this.requestTopics.get(serviceName);
    if (topic === undefined) {
      topic = requestTopic(serviceName, this.options.topics);
      this.requestTopics.set(serviceName, topic);
    }
    return topic;
  }

  /** Creates a service's request topic once, for services the protos did not name (raw calls). */
  private ensureRequestTopic(serviceName: string): Promise<void> {
    let ensured = this.ensuredTopics.get(serviceName);
    if (!ensured) {
      const topics = this.options.topics ?? {};
      ensured = this.bus.ensureTopics([
        {
          topic: requestTopic(serviceName, topics),
          partitions: topics.requestPartitions ?? DEFAULT_REQUEST_PARTITIONS,
          replicationFactor: topics.replicationFactor,
        },
      ]);
      this.ensuredTopics.set(serviceName, ensured);
      ensured.then(
        () => this.readyTopics.add(serviceName),
        () => this.ensuredTopics.delete(serviceName),
      );
    }
    return ensured;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const { service, rpc } = parseRpcPattern(packet.pattern);
    const subscription = this.call(this.registry.get(service), rpc, packet.data).subscribe({
      next: (response) => callback({ response }),
      error: (err: unknown) => callback({ err }),
      complete: () => callback({ isDisposed: true }),
    });
    return () => subscription.unsubscribe();
  }

  /** Fire-and-forget: publishes a one-way call; no reply is awaited or sent. */
  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const { service: name, rpc } = parseRpcPattern(packet.pattern);
    const service = this.registry.get(name);
    const method = service.methods.get(rpc);
    if (!method) throw new VrpcCallError(status.UNIMPLEMENTED, VrpcMessages.unknownMethod(service.fullName, rpc));
    const now = Date.now();
    const deadline = now + (this.settings.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const message = requestMessage(
      requestEnvelope({
        clientId: this.instanceId,
        serviceName: service.fullName,
        method: rpc,
        id: this.nextId(),
        payload: method.encodeRequest(packet.data),
        deadline,
        now,
      }),
      this.requestTopicOf(service.fullName),
    );
    await this.bus.connect();
    await retryUntil(deadline, () => this.bus.publish([message]));
    return undefined as T;
  }

  private nextId(): string {
    return `${this.instanceId}/${(this.sequence++).toString(36)}`;
  }

  private ready(): Promise<BusInbox> {
    const attempt = this.inbox.get();
    if (attempt !== this.inboxAttempt) {
      // A new connection: its inbox serves the publishing fast path once it is open.
      this.inboxAttempt = attempt;
      this.openedInbox = undefined;
      attempt.then(
        (inbox) => {
          if (this.inboxAttempt === attempt) this.openedInbox = inbox;
        },
        () => undefined,
      );
    }
    return attempt;
  }

  private async openInbox(): Promise<BusInbox> {
    const topics = this.options.topics ?? {};
    await this.bus.connect();
    await this.bus.ensureTopics([
      { topic: replyTopic(topics), partitions: topics.replyPartitions ?? DEFAULT_REPLY_PARTITIONS, replicationFactor: topics.replicationFactor },
      ...this.registry.services.map((service) => ({
        topic: requestTopic(service.fullName, topics),
        partitions: topics.requestPartitions ?? DEFAULT_REQUEST_PARTITIONS,
        replicationFactor: topics.replicationFactor,
      })),
    ]);
    for (const service of this.registry.services) {
      this.ensuredTopics.set(service.fullName, Promise.resolve());
      this.readyTopics.add(service.fullName);
    }
    return this.bus.openInbox(this.instanceId, replyTopic(topics), (message) => this.onReply(message));
  }

  private onReply(message: IncomingMessage): Promise<void> {
    let reply;
    try {
      reply = decodeResponse(message.value);
    } catch (error: unknown) {
      this.logger.warn(`ignored an unreadable reply at ${message.topic}[${message.partition}]@${message.offset}: ${String(error)}`);
      return Promise.resolve();
    }
    this.settle(reply, 'bus');
    return Promise.resolve();
  }

  /** Delivers a reply to the call waiting for it, if it still waits. */
  private settle(reply: ResponseEnvelope, path: 'bus' | 'direct'): void {
    const call = this.pending.take(reply.requestId);
    if (!call) return;
    if (reply.statusCode !== (status.OK as number)) {
      call.sink.error(new VrpcCallError(reply.statusCode, reply.errorMessage, replyMetadata(reply, path)));
      return;
    }
    call.sink.reply(reply, path);
  }
}
