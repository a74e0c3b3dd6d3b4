import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { runNames, type RunConfig } from '../config/run-config.js';
import { RAW_TUNING } from '../contenders/raw-kafka/raw-kafka.tuning.js';
import { REPO_DIR } from '../paths.js';

/** The part of scripts/kafka/index.mjs the bench uses (a JavaScript module without types). */
interface KafkaScripts {
  startKafka(options: { log: (line: string) => void }): Promise<{ brokers: string[]; started: boolean }>;
  stopKafka(options: { log: (line: string) => void }): Promise<void>;
  clusterLayout(options: { nodes: number }): { version: string };
}

/** The broker a run uses. */
export interface Broker {
  brokers: string[];
  /** What it is, for the results: `Apache Kafka 4.3.1, single node (scripts/kafka)` or `external`. */
  description: string;
  /** Stops it if this run started it. */
  release(): Promise<void>;
}

const loadScripts = async () => (await import(pathToFileURL(join(REPO_DIR, 'scripts/kafka/index.mjs')).href)) as KafkaScripts;

/**
 * The project's local broker (started if needed, and then stopped at the end), or the cluster
 * `VRPC_KAFKA_BROKERS` names, which is never touched.
 */
export async function acquireBroker(log: (line: string) => void): Promise<Broker> {
  const external = process.env.VRPC_KAFKA_BROKERS?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (external?.length) {
    return { brokers: external, description: `external (${external.join(',')})`, release: () => Promise.resolve() };
  }
  const scripts = await loadScripts();
  const { brokers, started } = await scripts.startKafka({ log });
  const { version } = scripts.clusterLayout({ nodes: 1 });
  return {
    brokers,
    description: `Apache Kafka ${version}, single KRaft node on loopback (scripts/kafka)`,
    release: async () => {
      if (started) await scripts.stopKafka({ log });
    },
  };
}

/** An admin client for setting up and cleaning up a run's topics. */
export async function connectAdmin(brokers: string[]): Promise<Admin> {
  const admin = new Kafka({ clientId: 'vrpc-bench', brokers, logLevel: logLevel.ERROR }).admin();
  await admin.connect();
  return admin;
}

/**
 * Creates the topics of the contenders that do not create their own (the broker does not
 * auto-create): Nest's pattern topic and its `.reply`, the raw loops' topics (kafkajs and
 * `@platformatic/kafka`).
 */
export async function createRunTopics(admin: Admin, config: RunConfig): Promise<void> {
  const names = runNames(config);
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: names.nestKafka.pattern, numPartitions: config.requestPartitions },
      { topic: names.nestKafka.replyTopic, numPartitions: config.replyPartitions },
      { topic: names.rawKafka.requestTopic, numPartitions: RAW_TUNING.requestPartitions },
      { topic: names.rawKafka.replyTopic, numPartitions: RAW_TUNING.replyPartitions },
      // vRPC's partitioning: as many request partitions; a client reads one reply partition.
      { topic: names.rawKafkaVrpcWire.requestTopic, numPartitions: config.requestPartitions },
      { topic: names.rawKafkaVrpcWire.replyTopic, numPartitions: 1 },
      { topic: names.rawKafkaOtel.requestTopic, numPartitions: RAW_TUNING.requestPartitions },
      { topic: names.rawKafkaOtel.replyTopic, numPartitions: RAW_TUNING.replyPartitions },
      // The @platformatic/kafka floor: the kafkajs floor's layout. The vRPC rows' buses create their own.
      { topic: names.rawPlatformatic.requestTopic, numPartitions: RAW_TUNING.requestPartitions },
      { topic: names.rawPlatformatic.replyTopic, numPartitions: RAW_TUNING.replyPartitions },
    ],
  });
}

/** Deletes every topic and consumer group of the run; the broker is shared, so only ours. */
export async function deleteRunTopics(admin: Admin, runId: string): Promise<void> {
  const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(runId));
  if (topics.length > 0) await admin.deleteTopics({ topics });
  const { groups } = await admin.listGroups();
  const ours = groups.map((group) => group.groupId).filter((id) => id.includes(runId));
  if (ours.length > 0) await admin.deleteGroups(ours);
}

/** The streaming bench's topics that no contender creates itself: Nest's pattern topic and its `.reply`. */
export async function createStreamRunTopics(admin: Admin, config: RunConfig): Promise<void> {
  const names = runNames(config).nestKafkaStreams;
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: names.pattern, numPartitions: config.requestPartitions },
      { topic: names.replyTopic, numPartitions: config.replyPartitions },
    ],
  });
}
