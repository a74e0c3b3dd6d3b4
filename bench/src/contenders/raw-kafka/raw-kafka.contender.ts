import { type RunConfig, runNames } from '../../config/run-config.js';
import type { Contender } from '../contender.js';
import { startRawClient } from './raw-kafka.client.js';
import { startRawServer } from './raw-kafka.server.js';
import { RAW_TUNING, rawKafka } from './raw-kafka.tuning.js';
import { registerBenchSdk } from '../vrpc/otel-sdk.js';
import { tracedWire } from './raw-kafka.otel-wire.js';
import { minimalWire, type RawWire, vrpcWire } from './raw-kafka.wire.js';

type RawNames = ReturnType<typeof runNames>['rawKafka'];

/** A hand-written loop over kafkajs with the given topics and wire format. */
function rawContender(
  names: (config: RunConfig) => RawNames & { requestPartitions: number },
  wire: (names: RawNames) => RawWire,
  before?: () => void,
): Contender {
  return {
    startServer(config) {
      before?.();
      const n = names(config);
      return startRawServer(rawKafka(`${n.clientId}-server`, config.brokers), n, wire(n));
    },
    startClient(config) {
      before?.();
      const n = names(config);
      return startRawClient(rawKafka(`${n.clientId}-client`, config.brokers), n, wire(n));
    },
  };
}

/** The floor: producer → topic → consumer → reply topic → consumer, kafkajs and nothing else. */
export const rawKafkaContender = rawContender(
  (config) => ({ ...runNames(config).rawKafka, requestPartitions: RAW_TUNING.requestPartitions }),
  () => minimalWire(),
);

/**
 * The same loop carrying vRPC's wire format and partitioning (request topic with as many
 * partitions as vRPC's, keyed by id): the floor for what vRPC must put on the wire.
 */
export const rawKafkaVrpcWireContender = rawContender(
  (config) => ({ ...runNames(config).rawKafkaVrpcWire, requestPartitions: config.requestPartitions }),
  (names) => vrpcWire(names.clientId, names.replyTopic),
);

/**
 * The floor with the OpenTelemetry SDK of the vRPC + OpenTelemetry row and the least
 * instrumentation giving the same spans and metrics: what tracing and metrics cost any
 * transport on this machine.
 */
export const rawKafkaOtelContender = rawContender(
  (config) => ({ ...runNames(config).rawKafkaOtel, requestPartitions: RAW_TUNING.requestPartitions }),
  (names) => tracedWire(minimalWire(), names.serverGroup),
  registerBenchSdk,
);
