import { firstValueFrom } from 'rxjs';
import { type Admin, type Kafka, type Producer, Partitioners } from 'kafkajs';
import { type VrpcCallOptions, VrpcClient, type VrpcModuleOptions } from '@vrpc/nestjs';
import { ECHO_PROTO, type EchoReply, type EchoRequest, type EchoServiceClient } from '../fixtures/echo.service.js';
import { testKafka, uniqueName } from '../support/kafka.js';
import { waitFor } from '../support/wait-for.js';
import { HostileServer, RunLog } from './hostile-process.js';

/** The one place the whole-topic client mode is named (issue 13: the name may change). */
export const WHOLE_TOPIC_CLIENT = { replyInbox: 'whole-topic' } as const;
/** The server's drain timeout in these tests (`server.drainTimeoutMs`, default 10 s). */
export const DRAIN_TIMEOUT_MS = 3_000;

const defaultPartition = Partitioners.DefaultPartitioner();

/** The partition kafkajs' default partitioner (and so vRPC's) picks for `key` on `count` partitions. */
export function partitionOf(key: string, count: number): number {
  const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
    offlineReplicas: [],
  }));
  return defaultPartition({ topic: 't', partitionMetadata, message: { key, value: null } });
}

/** A key of this run that lands on `partition`. */
export function keyOn(partition: number, count: number, prefix: string): string {
  for (let n = 0; ; n++) if (partitionOf(`${prefix}-${n}`, count) === partition) return `${prefix}-${n}`;
}

/** Topics, a server process, a vRPC client, a raw attacker and an admin of one hostile test. */
export class HostileScope {
  readonly scope = uniqueName('hostile');
  readonly runs = new RunLog();
  readonly kafka: Kafka = testKafka();
  /** The server's options (the client takes them too, minus `replyTopicsPattern`, which only the server process reads). */
  readonly options: Omit<VrpcModuleOptions, 'protos' | 'server'> & {
    server: NonNullable<VrpcModuleOptions['server']> & { replyTopicsPattern: string };
  };
  server!: HostileServer;
  client!: VrpcClient;
  echo!: EchoServiceClient;
  attacker!: Producer;
  admin!: Admin;
  /** The client's reply partition. */
  inbox = 0;
  private calls = 0;

  constructor(
    brokers: string[],
    readonly requestPartitions = 8,
    readonly replyPartitions = 4,
    client: object = {},
  ) {
    this.options = {
      bus: { type: 'kafka', brokers, sessionTimeoutMs: 6_000, commitIntervalMs: 100, maxWaitTimeMs: 100 },
      topics: {
        requestPrefix: `${this.scope}.req.`,
        replies: `${this.scope}.replies`,
        deadLetter: `${this.scope}.dead`,
        requestPartitions,
        replyPartitions,
      },
      // Raw requests are answered on a topic of their own (the watch topic), and some name a
      // topic that does not exist (a reply that cannot be published): the server allows both.
      server: {
        groupPrefix: `${this.scope}.`,
        drainTimeoutMs: DRAIN_TIMEOUT_MS,
        // A pattern, sent to the server process as its source (see test/processes/hostile-server.ts).
        replyTopicsPattern: `^(${this.scope.replace(/\./g, '\\.')}\\.watch|hostile\\.missing\\..+)$`,
      },
      client,
    };
  }

  get requestTopic(): string {
    return `${this.scope}.req.vrpc.echo.EchoService`;
  }

  get replyTopic(): string {
    return `${this.scope}.replies`;
  }

  /** A reply topic of the test's own for requests written raw, which no reply case touches. */
  get watchTopic(): string {
    return `${this.scope}.watch`;
  }

  get deadLetterTopic(): string {
    return `${this.scope}.dead`;
  }

  get group(): string {
    return `${this.scope}.vrpc.echo.EchoService`;
  }

  async start(): Promise<void> {
    this.server = await HostileServer.start(this.options, this.runs);
    this.client = new VrpcClient({ ...this.options, protos: ECHO_PROTO });
    await this.client.connect();
    this.echo = this.client.getService<EchoServiceClient>('EchoService');
    this.attacker = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await this.attacker.connect();
    this.admin = this.kafka.admin();
    await this.admin.connect();
    await this.admin.createTopics({ waitForLeaders: true, topics: [{ topic: this.watchTopic, numPartitions: 1 }] });
    await this.findInbox(20_000);
  }

  /** A new client (the old one's inbox may be stalled), and a new server if it stalled too. */
  async renew(): Promise<void> {
    await this.client.close();
    this.client = new VrpcClient({ ...this.options, protos: ECHO_PROTO });
    await this.client.connect();
    this.echo = this.client.getService<EchoServiceClient>('EchoService');
    await this.findInbox(5_000).catch(() => undefined);
  }

  /** Learns the client's reply partition, as the server sees it on a call. */
  async findInbox(timeoutMs: number): Promise<void> {
    const text = `probe-${++this.calls}`;
    const probe = await this.call({ text }, timeoutMs);
    if (!probe.reply) throw new Error(`probe call failed: ${JSON.stringify(probe.error)}`);
    this.inbox = this.runs.find(text)?.replyPartition ?? 0;
  }

  /** Starts a server again if the last one died (a case's outcome says so). */
  async ensureServer(): Promise<void> {
    if (!this.server.alive()) this.server = await HostileServer.start(this.options, this.runs);
  }

  /** An Echo call; `partition` pins it there through a task key. Resolves with its reply or its error. */
  async call(
    request: EchoRequest,
    timeoutMs: number,
    partition?: number,
    options: VrpcCallOptions = {},
  ): Promise<{ ms: number; reply?: EchoReply; error?: { code?: number; details?: string; message?: string } }> {
    const taskKey = partition === undefined ? undefined : keyOn(partition, this.requestPartitions, `${this.scope}-good-${++this.calls}`);
    const started = Date.now();
    try {
      const reply = await firstValueFrom(this.echo.echo(request, undefined, { ...options, timeoutMs, taskKey }));
      return { ms: Date.now() - started, reply };
    } catch (error: unknown) {
      return { ms: Date.now() - started, error: error as { code?: number; details?: string } };
    }
  }

  /** The group's committed offset of `partition` (-1 when none). */
  async committed(partition: number): Promise<number> {
    const [topic] = await this.admin.fetchOffsets({ groupId: this.group, topics: [this.requestTopic] });
    const entry = topic?.partitions.find((p) => p.partition === partition);
    return entry ? Number(entry.offset) : -1;
  }

  /** Waits (bounded) until the committed offset of `partition` is past `offset`; returns the last seen. */
  async committedPast(partition: number, offset: number, timeoutMs = 3_000): Promise<number> {
    let last = -1;
    await waitFor(async () => (last = await this.committed(partition)) > offset, timeoutMs).catch(() => undefined);
    return last;
  }

  async close(): Promise<void> {
    await this.client?.close();
    await this.attacker?.disconnect();
    await this.admin?.disconnect();
    await this.server?.stop('SIGTERM', DRAIN_TIMEOUT_MS + 10_000);
  }
}
