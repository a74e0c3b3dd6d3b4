/** What every child process of one bench run needs to know; passed as JSON in `BENCH_RUN_CONFIG`. */
export interface RunConfig {
  /** Unique per run: prefixes every topic and consumer group the run makes. */
  runId: string;
  brokers: string[];
  /** Address the gRPC contender's server listens on (loopback). */
  grpcUrl: string;
  /** Partitions of request topics, for every Kafka contender alike. */
  requestPartitions: number;
  /** Partitions of reply topics, for every Kafka contender alike. */
  replyPartitions: number;
  /** Deadline of one call, in ms: generous, so that a slow contender is measured, not failed. */
  callTimeoutMs: number;
}

const ENV_KEY = 'BENCH_RUN_CONFIG';

/** The environment that hands `config` to a child process. */
export function runConfigEnv(config: RunConfig): Record<string, string> {
  return { [ENV_KEY]: JSON.stringify(config) };
}

/** Reads the run config a child process was started with. */
export function readRunConfig(): RunConfig {
  const raw = process.env[ENV_KEY];
  if (!raw) throw new Error(`${ENV_KEY} is not set: this process is started by bench/dist/main.js`);
  return JSON.parse(raw) as RunConfig;
}

const rawNames = (runId: string, tag: string) => ({
  requestTopic: `${runId}.${tag}.req`,
  replyTopic: `${runId}.${tag}.rep`,
  serverGroup: `${runId}.${tag}.server`,
  clientGroup: `${runId}.${tag}.client`,
  clientId: `${runId}-${tag}`,
});

/** A vRPC row's topics, groups and client id, all under `<runId>.<tag>`. */
const vrpcNames = (runId: string, tag: string) => ({
  requestPrefix: `${runId}.${tag}.req.`,
  replies: `${runId}.${tag}.replies`,
  deadLetter: `${runId}.${tag}.dead`,
  groupPrefix: `${runId}.${tag}.`,
  clientId: `${runId}-${tag}`,
});

/** Topic and group names of one run, per contender. */
export const runNames = (config: RunConfig) => ({
  vrpc: vrpcNames(config.runId, 'vrpc'),
  vrpcSigned: vrpcNames(config.runId, 'vrpcsig'),
  vrpcOtel: vrpcNames(config.runId, 'vrpcotel'),
  vrpcPlatformatic: vrpcNames(config.runId, 'vrpcplat'),
  vrpcNats: vrpcNames(config.runId, 'vrpcnats'),
  vrpcRabbitmq: vrpcNames(config.runId, 'vrpcamqp'),
  nestKafka: {
    /** Nest's request topic is the message pattern; replies go to `<pattern>.reply`. */
    pattern: `${config.runId}.nest.echo`,
    replyTopic: `${config.runId}.nest.echo.reply`,
    clientId: `${config.runId}-nest`,
    groupId: `${config.runId}-nest`,
  },
  rawKafka: rawNames(config.runId, 'raw'),
  rawKafkaVrpcWire: rawNames(config.runId, 'rawwire'),
  rawKafkaOtel: rawNames(config.runId, 'rawotel'),
  rawPlatformatic: rawNames(config.runId, 'rawplat'),
  // The streaming bench (`npm run bench:streams`): topics and groups of its own.
  vrpcStreams: {
    requestPrefix: `${config.runId}.vrpcs.req.`,
    replies: `${config.runId}.vrpcs.replies`,
    deadLetter: `${config.runId}.vrpcs.dead`,
    streams: `${config.runId}.vrpcs.streams`,
    groupPrefix: `${config.runId}.vrpcs.`,
    clientId: `${config.runId}-vrpcs`,
  },
  nestKafkaStreams: {
    pattern: `${config.runId}.nests.stream`,
    replyTopic: `${config.runId}.nests.stream.reply`,
    clientId: `${config.runId}-nests`,
    groupId: `${config.runId}-nests`,
  },
});
