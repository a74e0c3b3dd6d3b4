import { jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import { connect as connectAmqp } from 'amqplib';
import { runNames, type RunConfig } from '../config/run-config.js';
import type { ContenderId } from '../contenders/registry.js';
import { BENCH_PACKAGE, BENCH_SERVICE } from '../paths.js';

// The NATS and RabbitMQ rows' buses create durable streams, exchanges and queues named after the
// run; the bench deletes them at the end, like its Kafka topics. Best effort: a broker that is
// not there (a run without those rows) is no error.

const SERVICE = `${BENCH_PACKAGE}.${BENCH_SERVICE}`;
const natsServers = () => process.env.VRPC_NATS_SERVERS ?? '127.0.0.1:4222';
const rabbitMqUrl = () => process.env.VRPC_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Deletes every JetStream stream of the run (the bus names them `vrpc_<topic with _ for .>`; their consumers go with them). */
export async function deleteRunNatsStreams(runId: string): Promise<number> {
  const nc = await connectNats({ servers: natsServers(), timeout: 2_000 });
  try {
    const jsm = await jetstreamManager(nc);
    const ours: string[] = [];
    for await (const name of jsm.streams.names()) if (name.includes(runId.replace(/\./g, '_'))) ours.push(name);
    await Promise.allSettled(ours.map((name) => jsm.streams.delete(name)));
    return ours.length;
  } finally {
    await nc.close();
  }
}

/** Deletes the RabbitMQ row's exchanges (one per topic) and its server group's queue (`<group>@<topic>`). */
export async function deleteRunRabbitMqTopology(config: RunConfig): Promise<void> {
  const names = runNames(config).vrpcRabbitmq;
  const requests = `${names.requestPrefix}${SERVICE}`;
  const connection = await connectAmqp(rabbitMqUrl());
  try {
    // A channel per deletion: a failed one closes its channel.
    const attempt = async (action: (channel: Awaited<ReturnType<typeof connection.createChannel>>) => Promise<unknown>) => {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await action(channel).catch(() => undefined);
      await channel.close().catch(() => undefined);
    };
    await attempt((channel) => channel.deleteQueue(`${names.groupPrefix}${SERVICE}@${requests}`));
    for (const exchange of [requests, names.replies, names.deadLetter]) await attempt((channel) => channel.deleteExchange(exchange));
  } finally {
    await connection.close();
  }
}

/** Deletes what the run's NATS and RabbitMQ rows left, for those of `contenders` that ran; failures are logged. */
export async function deleteRunBusTopology(
  contenders: readonly ContenderId[],
  config: RunConfig,
  log: (line: string) => void,
): Promise<void> {
  if (contenders.includes('vrpc-nats'))
    await deleteRunNatsStreams(config.runId).catch((error: unknown) => log(`could not delete the run's NATS streams: ${String(error)}`));
  if (contenders.includes('vrpc-rabbitmq'))
    await deleteRunRabbitMqTopology(config).catch((error: unknown) =>
      log(`could not delete the run's RabbitMQ exchanges and queue: ${String(error)}`),
    );
}
