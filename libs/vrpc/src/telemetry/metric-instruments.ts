import type { OtelApi } from './otel-api.js';
import { InFlightTally } from './in-flight-tally.js';
import { METRIC, SCOPE } from './semconv.js';

/** Attributes of one measurement. */
export type MetricAttributes = Record<string, string | number | boolean>;

/** A counter or up-down counter. */
export interface Count {
  add(value: number, attributes?: MetricAttributes): void;
}

/** A histogram. */
export interface Distribution {
  record(value: number, attributes?: MetricAttributes): void;
}

/** One observed lag: messages behind on one partition (or queue) of one consumer. */
export interface LagSample {
  topic: string;
  partition: number;
  /** The consumer group (a request topic's servers), or the inbox's instance id. */
  group: string;
  /** `server` (a request topic) or `client` (a reply inbox), or `streams` (a server's stream inbox). */
  role: 'server' | 'client' | 'streams';
  lag: number;
}

const NONE: Count & Distribution = { add: () => undefined, record: () => undefined };

/** Bucket boundaries (seconds) the RPC conventions advise for call durations. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * Every instrument vRPC records, made once from the global meter provider when a client,
 * server or gateway is created (register the SDK before creating the Nest app). Without
 * `@opentelemetry/api` each is a no-op.
 */
export class MetricInstruments {
  readonly clientDuration: Distribution;
  readonly serverDuration: Distribution;
  readonly clientInFlight: Count;
  readonly serverInFlight: Count;
  readonly queueTime: Distribution;
  readonly retries: Count;
  readonly duplicates: Count;
  readonly expired: Count;
  readonly deadLetters: Count;
  readonly droppedReplies: Count;
  readonly droppedFrames: Count;
  private readonly lagSources = new Set<() => Promise<LagSample[]>>();

  constructor(api: OtelApi | undefined, version: string) {
    const meter = api?.metrics.getMeter(SCOPE, version);
    const histogram = (name: string, description: string): Distribution =>
      meter?.createHistogram(name, { unit: 's', description, advice: { explicitBucketBoundaries: DURATION_BUCKETS } }) ?? NONE;
    const counter = (name: string, unit: string, description: string): Count => meter?.createCounter(name, { unit, description }) ?? NONE;
    const upDown = (name: string, description: string): Count => {
      if (!meter) return NONE;
      const tally = new InFlightTally();
      meter.createObservableUpDownCounter(name, { unit: '{call}', description }).addCallback((result) => {
        for (const [attributes, value] of tally.entries()) result.observe(value, attributes);
      });
      return tally;
    };
    this.clientDuration = histogram(METRIC.clientDuration, 'Duration of calls made over vRPC, from the call to its outcome.');
    this.serverDuration = histogram(METRIC.serverDuration, 'Duration of calls served from the bus, from taking the request to the reply.');
    this.clientInFlight = upDown(METRIC.clientInFlight, 'Calls made and not settled yet.');
    this.serverInFlight = upDown(METRIC.serverInFlight, 'Requests being served.');
    this.queueTime = histogram(METRIC.queueTime, 'Time a request waited on the bus, from its timestamp to a server taking it.');
    this.retries = counter(METRIC.retries, '{attempt}', 'Publish attempts of requests after a retriable failure.');
    this.duplicates = counter(METRIC.duplicates, '{message}', 'Copies of a request already running or answered, skipped.');
    this.expired = counter(METRIC.expired, '{message}', 'Requests skipped unrun: their deadline had passed when a server took them.');
    this.deadLetters = counter(METRIC.deadLetters, '{message}', 'Messages set aside on the dead-letter topic.');
    this.droppedReplies = counter(METRIC.droppedReplies, '{message}', 'Replies a client dropped (late, unknown, undecodable, forged).');
    this.droppedFrames = counter(METRIC.droppedFrames, '{message}', 'Stream frames a stream inbox dropped.');
    const gauge = meter?.createObservableGauge(METRIC.lag, {
      unit: '{message}',
      description:
        'Messages behind on a partition: high watermark minus committed offset (request topics) or read position (reply inboxes).',
    });
    gauge?.addCallback(async (result) => {
      const sources = [...this.lagSources];
      const samples = await Promise.all(sources.map((source) => source().catch((): LagSample[] => [])));
      for (const sample of samples.flat()) {
        result.observe(sample.lag, {
          'messaging.destination.name': sample.topic,
          'messaging.destination.partition.id': String(sample.partition),
          'messaging.consumer.group.name': sample.group,
          'vrpc.role': sample.role,
        });
      }
    });
  }

  /** Reports `source`'s lag on every collection until the returned function is called. */
  observeLag(source: () => Promise<LagSample[]>): () => void {
    this.lagSources.add(source);
    return () => this.lagSources.delete(source);
  }
}
