import { randomUUID } from 'node:crypto';
import type { VrpcBus } from '../bus/bus.interface.js';
import { createBus } from '../bus/create-bus.js';
import type { DirectCaller } from '../grpc/direct-caller.js';
import { ProtoRegistry } from '../protocol/proto-registry.js';
import { streamsTopic } from '../protocol/topic-names.js';
import { CallRegistry } from './call-registry.js';
import { CallRouter, directCallerFor } from './call-router.js';
import type { VrpcClientConfig } from './client-options.interface.js';
import { clientSettings } from './client-settings.js';
import { ClientStreams } from './client-streams.js';
import { ClientTelemetry } from './client-telemetry.js';
import { ReplyInbox } from './reply-inbox.js';
import { RequestPublisher } from './request-publisher.js';
import { RequestTopics } from './request-topics.js';
import type { StreamCaller } from './stream-caller.js';
import { UnaryCaller } from './unary-caller.js';

/** What a `VrpcClient` is made of. */
export interface ClientParts {
  bus: VrpcBus;
  ownsBus: boolean;
  protos: ProtoRegistry;
  instanceId: string;
  calls: CallRegistry;
  inbox: ReplyInbox;
  direct: DirectCaller | undefined;
  caller: UnaryCaller;
  streams: ClientStreams;
  streamCaller: StreamCaller;
  telemetry: ClientTelemetry;
}

/** Makes a client's parts from its config: a bus (`bus`, or one it owns), its inbox, callers and telemetry. */
export function wireClient(config: VrpcClientConfig, shared?: VrpcBus): ClientParts {
  const settings = clientSettings(config);
  const streams = new ClientStreams(streamsTopic(settings.topics));
  const bus = shared ?? createBus(config.bus);
  const protos = new ProtoRegistry(config.protos, true);
  const instanceId = `${settings.instanceIdPrefix}-${randomUUID()}`;
  const calls = new CallRegistry();
  const topics = new RequestTopics(bus, settings.topics);
  const telemetry = new ClientTelemetry(bus.system ?? 'vrpc-bus', (service) => topics.name(service));
  const services = protos.services.map((service) => service.fullName);
  const { topics: topicOptions, replyInbox, signer, headers } = settings;
  const inbox = new ReplyInbox(bus, instanceId, topicOptions, topics, services, calls, replyInbox, signer, streams.registry, telemetry);
  const direct = directCallerFor(settings.fallback);
  const publisher = new RequestPublisher(bus, inbox, topics, calls, signer, telemetry, headers);
  const router = new CallRouter(publisher, calls, settings.fallback, direct);
  const caller = new UnaryCaller(instanceId, settings.timeoutMs, calls, router, telemetry);
  const streamCaller = streams.attach({ bus, inbox, topics, settings, instanceId, telemetry }, () => calls.nextId());
  return { bus, ownsBus: shared === undefined, protos, instanceId, calls, inbox, direct, caller, streams, streamCaller, telemetry };
}
