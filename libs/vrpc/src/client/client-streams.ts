import { status } from '@grpc/grpc-js';
import type { VrpcBus } from '../bus/bus.interface.js';
import { VrpcMessages } from '../errors/vrpc.messages.js';
import type { ClientSettings } from './client-settings.interface.js';
import type { ClientTelemetry } from './client-telemetry.js';
import type { ReplyInbox } from './reply-inbox.js';
import { RequestPublisher } from './request-publisher.js';
import type { RequestTopics } from './request-topics.js';
import { StreamCaller } from './stream-caller.js';
import { StreamRegistry } from './stream-registry.js';
import { BusStreamWire } from './stream-wire.js';

/** What a client's streams go through. */
export interface StreamsSetup {
  bus: VrpcBus;
  inbox: ReplyInbox;
  topics: RequestTopics;
  settings: ClientSettings;
  instanceId: string;
  telemetry?: ClientTelemetry;
}

/** A client's streaming part: its live streams (which the reply inbox feeds) and the caller that opens them. */
export class ClientStreams {
  readonly registry: StreamRegistry;
  private wire: BusStreamWire | undefined;

  /** @param inboxTopic `topics.streams`, where servers' stream inboxes are */
  constructor(inboxTopic: string) {
    this.registry = new StreamRegistry(inboxTopic, (parts, target) => this.wire?.cancel(parts, target));
  }

  /** Puts the streams on the bus, through the client's inbox; returns what opens them. */
  attach({ bus, inbox, topics, settings, instanceId, telemetry }: StreamsSetup, nextId: () => string): StreamCaller {
    const live = { has: (id: string) => this.registry.isLive(id) };
    const { signer, headers } = settings;
    const wire = new BusStreamWire(bus, new RequestPublisher(bus, inbox, topics, live, signer, telemetry, headers), signer, headers);
    this.wire = wire;
    return new StreamCaller(instanceId, settings.timeoutMs, settings.streams, this.registry, wire, nextId, telemetry);
  }

  /** Fails the live streams with UNAVAILABLE ("client closed") and cancels them. */
  close(): void {
    this.registry.failAll(status.UNAVAILABLE, VrpcMessages.clientClosed);
    this.wire?.close();
  }
}
