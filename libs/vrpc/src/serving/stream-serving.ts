import type { Logger } from '@nestjs/common';
import type { VrpcBus } from '../bus/bus.interface.js';
import { EnvelopeSigner } from '../protocol/envelope-signature.js';
import type { RequestEnvelope, ResponseEnvelope } from '../protocol/envelope.js';
import type { VrpcSecurityOptions } from '../protocol/security-options.interface.js';
import { streamsTopic } from '../protocol/topic-names.js';
import type { VrpcTopicOptions } from '../protocol/topic-options.interface.js';
import { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_STREAM_PARTITIONS } from '../protocol/vrpc.constants.js';
import type { StreamOpener } from './request-dispatcher.js';
import { serverStreamSettings } from './stream-config.js';
import type { StreamExecutor } from './stream-executor.interface.js';
import { StreamInbox } from './stream-inbox.js';
import { StreamSessions } from './stream-sessions.js';
import type { VrpcServingOptions } from './serving-options.interface.js';
import type { VrpcTelemetry } from '../telemetry/vrpc-telemetry.js';

/** What serving streams needs. */
export interface StreamServingOptions {
  bus: VrpcBus;
  topics: VrpcTopicOptions;
  serving: VrpcServingOptions;
  security?: VrpcSecurityOptions;
  logger: Logger;
  /** The server instance whose inbox this is. */
  instanceId: string;
  execute: StreamExecutor;
  /** Spans and metrics of the streams served. */
  telemetry?: VrpcTelemetry;
}

/**
 * The streaming half of a server: its stream inbox on `topics.streams` and its live sessions.
 * Started before the request topics are joined (an acceptance names the inbox), closed after
 * they are left: every stream then ends UNAVAILABLE within the drain timeout.
 */
export class StreamServing {
  readonly sessions: StreamSessions;
  readonly inbox: StreamInbox;

  constructor(private readonly options: StreamServingOptions) {
    const { bus, serving, security, logger, execute, telemetry } = options;
    const settings = serverStreamSettings(serving.streams);
    const signer = security ? new EnvelopeSigner(security) : undefined;
    const sign = signer
      ? (envelope: RequestEnvelope, reply: ResponseEnvelope) => signer.signReply(envelope.serviceName, reply, envelope.keyId)
      : undefined;
    this.sessions = new StreamSessions({ bus, settings, execute, logger, sign, telemetry, headers: serving.headers });
    this.inbox = new StreamInbox(bus, this.sessions, logger, security, telemetry);
  }

  /** Creates the streams topic and opens the inbox; resolves once frames sent to it cannot be missed. */
  async start(): Promise<void> {
    const { bus, topics, instanceId } = this.options;
    const topic = streamsTopic(topics);
    await bus.ensureTopics([
      { topic, partitions: topics.streamPartitions ?? DEFAULT_STREAM_PARTITIONS, replicationFactor: topics.replicationFactor },
    ]);
    await this.inbox.open(instanceId, topic);
  }

  /** Hands openings to the sessions. */
  readonly open: StreamOpener = (envelope, message, caller, observation) => this.sessions.open(envelope, message, caller, observation);

  /** Ends the streams (UNAVAILABLE, within the drain timeout) and closes the inbox. */
  async close(): Promise<void> {
    await this.sessions.close(Date.now() + (this.options.serving.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS));
    await this.inbox.close();
  }
}
