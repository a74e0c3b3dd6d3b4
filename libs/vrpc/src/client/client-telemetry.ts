import { status } from '@grpc/grpc-js';
import type { BusInbox } from '../bus/bus.interface.js';
import { VrpcCallError } from '../errors/vrpc-call.error.js';
import type { ResponseEnvelope } from '../protocol/envelope.js';
import { CallType } from '../protocol/stream-frame.js';
import { type CallObservation, NO_OBSERVATION } from '../telemetry/call-observation.js';
import type { MetricInstruments } from '../telemetry/metric-instruments.js';
import { otelApi } from '../telemetry/otel-api.js';
import { ATTR } from '../telemetry/semconv.js';
import { VrpcTelemetry } from '../telemetry/vrpc-telemetry.js';
import type { ReplySink } from './call-registry.js';
import type { ReplyPath } from './reply-metadata.js';

/** Why a reply inbox dropped a reply (`vrpc.reason`): fixed words, never text from the message. */
export type ReplyDropReason = 'undecodable' | 'unknown' | 'forged' | 'metadata';

const STREAM_TYPES: Partial<Record<CallType, string>> = {
  [CallType.SERVER_STREAMING]: 'server_stream',
  [CallType.CLIENT_STREAMING]: 'client_stream',
  [CallType.BIDI_STREAMING]: 'bidi',
};
const ON_BUS = { [ATTR.path]: 'bus' };
const DIRECT = { [ATTR.path]: 'direct' };

/** The gRPC code a call that failed with `error` ends with: a `VrpcCallError`'s own, else UNKNOWN. */
export function codeOf(error: unknown): number {
  return error instanceof VrpcCallError ? error.code : status.UNKNOWN;
}

/**
 * A client's traces and metrics (docs/observability.md): one observation per call, named for
 * its request topic, and the counters of what the client retries and drops. Without
 * `@opentelemetry/api` (`enabled` false) nothing is made per call.
 */
export class ClientTelemetry {
  readonly enabled: boolean;
  readonly telemetry: VrpcTelemetry;

  /** @param destination the request topic of a service (it may throw for an invalid name: then none is written) */
  constructor(
    system: string,
    private readonly destination: (service: string) => string,
    api = otelApi(),
  ) {
    this.enabled = api !== undefined;
    this.telemetry = new VrpcTelemetry(system, api ?? null);
  }

  get metrics(): MetricInstruments {
    return this.telemetry.metrics;
  }

  /** A call made now (a child of the active span); `callType` a streaming call's. */
  observe(service: string, method: string, id: string, callType?: CallType): CallObservation {
    if (!this.enabled) return NO_OBSERVATION;
    let destination: string | undefined;
    try {
      destination = this.destination(service);
    } catch {
      // An invalid service name: the call fails on its own; its span just names no topic.
    }
    const type = callType === undefined ? undefined : STREAM_TYPES[callType];
    return this.telemetry.clientCall({ service, method, id, destination, callType: type });
  }

  /** A publish attempt after the first, of a call of `service/method`. */
  retried(service: string, method: string): void {
    this.metrics.retries.add(1, { [ATTR.rpcMethod]: `${service}/${method}`, [ATTR.messagingSystem]: this.telemetry.system });
  }

  /** A reply the inbox dropped, and why. */
  dropped(reason: ReplyDropReason): void {
    this.metrics.droppedReplies.add(1, { [ATTR.messagingSystem]: this.telemetry.system, [ATTR.reason]: reason });
  }

  /** Reports the inbox's lag (when its bus can tell it) until the returned function is called. */
  observeInboxLag(inbox: BusInbox, instanceId: string): (() => void) | undefined {
    if (!this.enabled || !inbox.lag) return undefined;
    return this.metrics.observeLag(async () => {
      const lags = (await inbox.lag?.()) ?? [];
      return lags.map((lag) => ({ topic: lag.topic, partition: lag.partition, lag: lag.lag, group: instanceId, role: 'client' as const }));
    });
  }
}

/** A call's sink that ends its observation with the outcome first (OK, or the error's code). */
export class ObservedSink implements ReplySink {
  constructor(
    private readonly sink: ReplySink,
    private readonly observation: CallObservation,
  ) {}

  reply(reply: ResponseEnvelope, path: ReplyPath): void {
    this.observation.annotate(path === 'direct' ? DIRECT : ON_BUS);
    this.observation.end(status.OK);
    this.sink.reply(reply, path);
  }

  error(error: unknown): void {
    this.observation.end(codeOf(error), error instanceof VrpcCallError ? error.details : undefined);
    this.sink.error(error);
  }
}
