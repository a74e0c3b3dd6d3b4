import { randomUUID } from 'node:crypto';
import { type Metadata, status } from '@grpc/grpc-js';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type ClientGrpc, ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { defer, map, Observable, throwError } from 'rxjs';
import type { BusInbox, IncomingMessage, OutgoingMessage, VrpcBus } from '../bus/bus.interface.js';
import { createBus } from '../bus/create-bus.js';
import { decodeResponse, encodeRequest } from '../codec/envelope.js';
import { mapToMetadata, metadataToMap } from '../codec/metadata.codec.js';
import { ProtoRegistry, type RpcService } from '../codec/proto-registry.js';
import { VrpcCallError } from '../errors/vrpc-call.error.js';
import type { VrpcModuleOptions } from '../interfaces/vrpc-options.interface.js';
import { retryUntil } from '../utils/retry.js';
import { replyTopic, requestTopic } from '../utils/topic-names.js';
import {
  DEFAULT_REPLY_PARTITIONS,
  DEFAULT_REQUEST_PARTITIONS,
  DEFAULT_TIMEOUT_MS,
  VRPC_HEADERS,
  VRPC_TASK_KEY_METADATA,
} from '../vrpc.constants.js';
import { VrpcMessages } from '../vrpc.messages.js';
import type { VrpcCallOptions } from './call-options.interface.js';
import { PendingCalls } from './pending-calls.js';
import { resolveDeadline } from './resolve-deadline.js';
import { parseRpcPattern } from './rpc-pattern.js';
import { createServiceClient } from './service-client.js';

interface RequestParts {
  serviceName: string;
  method: string;
  id: string;
  payload: Buffer;
  metadata?: Metadata;
  options?: VrpcCallOptions;
  deadline: number;
  now: number;
  inbox?: BusInbox;
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
  private connection: Promise<BusInbox> | undefined;

  /** @param bus a shared bus (from DI); without it the client makes and owns one from the options. */
  constructor(
    private readonly options: VrpcModuleOptions,
    bus?: VrpcBus,
  ) {
    super();
    this.bus = bus ?? createBus(options);
    this.ownsBus = bus === undefined;
    this.registry = new ProtoRegistry(options.protos);
    this.instanceId = `${options.clientId ?? 'vrpc'}-${randomUUID()}`;
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
      call.subscriber.error(new VrpcCallError(status.UNAVAILABLE, VrpcMessages.clientClosed));
    }
    const connection = this.connection;
    this.connection = undefined;
    if (connection) await connection.then((inbox) => inbox.close(), () => undefined);
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
    return defer(() => {
      const payload = method.encodeRequest(data);
      return this.callRaw(service.fullName, method.name, payload, metadata, options);
    }).pipe(
      map((bytes) => {
        try {
          return method.decodeResponse(bytes);
        } catch (error: unknown) {
          throw new VrpcCallError(status.INTERNAL, `vRPC: reply could not be decoded: ${String(error)}`);
        }
      }),
    );
  }

  /**
   * Makes one unary call with a payload already encoded (the bytes gRPC would send) and
   * emits the reply's payload bytes. For interceptors and gateways that must not re-encode.
   */
  callRaw(
    serviceName: string,
    methodName: string,
    payload: Buffer,
    metadata?: Metadata,
    options?: VrpcCallOptions,
  ): Observable<Buffer> {
    return new Observable<Buffer>((subscriber) => {
      const now = Date.now();
      const deadline = resolveDeadline(options, this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS, now);
      const id = this.nextId();
      const timer = setTimeout(() => {
        this.pending.take(id)?.subscriber.error(
          new VrpcCallError(status.DEADLINE_EXCEEDED, VrpcMessages.deadlineExceeded(deadline - now)),
        );
      }, Math.max(0, deadline - now));
      this.pending.add(id, { subscriber, timer });
      // A bus outage shorter than the deadline delays the call; it does not fail it.
      retryUntil(deadline, async () => {
        const inbox = await this.ready();
        if (!this.pending.has(id)) return;
        await this.bus.publish([this.request({ serviceName, method: methodName, id, payload, metadata, options, deadline, now, inbox })]);
      })
        .catch((error: unknown) => {
          this.pending.take(id)?.subscriber.error(new VrpcCallError(status.UNAVAILABLE, VrpcMessages.publishFailed(String(error))));
        });
      return () => void this.pending.take(id);
    });
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
    const deadline = now + (this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const message = this.request({
      serviceName: service.fullName,
      method: rpc,
      id: this.nextId(),
      payload: method.encodeRequest(packet.data),
      deadline,
      now,
    });
    await this.bus.connect();
    await this.bus.publish([message]);
    return undefined as T;
  }

  /** The bus message of one call; without an inbox it is one-way. */
  private request({ serviceName, method, id, payload, metadata, options, deadline, now, inbox }: RequestParts): OutgoingMessage {
    const map = metadataToMap(metadata);
    const taskKey = options?.taskKey ?? map[VRPC_TASK_KEY_METADATA] ?? '';
    const value = encodeRequest({
      requestId: id,
      serviceName,
      methodName: method,
      payload,
      metadata: map,
      timestamp: now,
      timeoutMs: deadline - now,
      clientId: this.instanceId,
      replyTo: inbox?.address.topic ?? '',
      replyPartition: inbox?.address.partition,
      deadline,
      taskKey,
      attempt: 0,
      oneWay: inbox === undefined,
    });
    return {
      topic: requestTopic(serviceName, this.options.topics),
      key: taskKey || id,
      value,
      headers: { [VRPC_HEADERS.id]: id, [VRPC_HEADERS.service]: serviceName, [VRPC_HEADERS.method]: method },
    };
  }

  private nextId(): string {
    return `${this.instanceId}/${(this.sequence++).toString(36)}`;
  }

  private ready(): Promise<BusInbox> {
    if (!this.connection) {
      const connection = this.openInbox();
      this.connection = connection;
      connection.catch(() => {
        if (this.connection === connection) this.connection = undefined;
      });
    }
    return this.connection;
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
    const call = this.pending.take(reply.requestId);
    if (!call) return Promise.resolve();
    if (reply.statusCode !== (status.OK as number)) {
      call.subscriber.error(new VrpcCallError(reply.statusCode, reply.errorMessage, mapToMetadata(reply.metadata)));
      return Promise.resolve();
    }
    call.subscriber.next(Buffer.from(reply.payload.buffer, reply.payload.byteOffset, reply.payload.byteLength));
    call.subscriber.complete();
    return Promise.resolve();
  }
}
