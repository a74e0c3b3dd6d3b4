import type { StreamContender } from './stream-contender.js';

/** The contenders of the streaming bench, in the order its tables list them. */
export const STREAM_CONTENDER_IDS = ['vrpc', 'vrpc-observable', 'grpc', 'nest-kafka'] as const;
export type StreamContenderId = (typeof STREAM_CONTENDER_IDS)[number];

/** The scenarios of the streaming bench. */
export const STREAM_SCENARIOS = ['server-stream', 'server-stream-concurrent', 'bidi-echo'] as const;
export type StreamScenario = (typeof STREAM_SCENARIOS)[number];

/** How each contender is named in output, and what its server-stream handler is. */
export const STREAM_CONTENDER_LABELS: Record<StreamContenderId, string> = {
  vrpc: 'vRPC over Kafka (async function*)',
  'vrpc-observable': 'vRPC over Kafka (Observable)',
  grpc: 'Nest gRPC (direct)',
  'nest-kafka': 'Nest ClientKafka → ServerKafka',
};

/**
 * Why a contender does not run a scenario (shown in the table instead of a figure); a
 * scenario absent here is run.
 */
export const NOT_RUN: Partial<Record<StreamContenderId, Partial<Record<StreamScenario, string>>>> = {
  'nest-kafka': { 'bidi-echo': 'not supported (Nest’s Kafka transport has no client streams)' },
  // Its Echo handler is the vRPC row's: the same call, measured once.
  'vrpc-observable': { 'bidi-echo': 'same call as the row above' },
};

export const runsScenario = (id: StreamContenderId, scenario: StreamScenario): boolean => NOT_RUN[id]?.[scenario] === undefined;

// Loaded on demand: a child process imports only its own contender, so its RSS is its own.
const loaders: Record<StreamContenderId, () => Promise<StreamContender>> = {
  vrpc: async () => (await import('./vrpc-streams.contender.js')).vrpcGeneratorStreams,
  'vrpc-observable': async () => (await import('./vrpc-streams.contender.js')).vrpcObservableStreams,
  grpc: async () => (await import('./grpc-streams.contender.js')).grpcStreams,
  'nest-kafka': async () => (await import('./nest-kafka-streams.contender.js')).nestKafkaStreams,
};

export function isStreamContenderId(value: string): value is StreamContenderId {
  return (STREAM_CONTENDER_IDS as readonly string[]).includes(value);
}

export function loadStreamContender(id: StreamContenderId): Promise<StreamContender> {
  return loaders[id]();
}
