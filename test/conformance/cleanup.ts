import { jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import { connect as connectAmqp } from 'amqplib';
import { withTestAdmin } from '../support/kafka.js';
import type { CreatedNames } from './conformance-support.js';

// Test runs share long-lived brokers: remove what a suite created, so that streams, quorum queues
// and topics do not pile up run after run. Best effort: a failure here must not fail the tests.

/** Deletes the streams of the topics (their consumers go with them). */
export async function deleteNatsStreams(servers: string, created: CreatedNames, prefix = 'vrpc_'): Promise<void> {
  const nc = await connectNats({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    await Promise.allSettled([...created.topics].map((topic) => jsm.streams.delete(`${prefix}${topic.replace(/\./g, '_')}`)));
  } finally {
    await nc.close();
  }
}

/** Deletes the groups' queues and the topics' exchanges. */
export async function deleteRabbitMqTopology(url: string, created: CreatedNames): Promise<void> {
  const connection = await connectAmqp(url);
  try {
    // A channel per call: a failed call closes its channel.
    const run = async (action: (channel: Awaited<ReturnType<typeof connection.createChannel>>) => Promise<unknown>) => {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await action(channel).catch(() => undefined);
      await channel.close().catch(() => undefined);
    };
    for (const { group, topic } of created.subscriptions) await run((channel) => channel.deleteQueue(`${group}@${topic}`));
    for (const topic of created.topics) await run((channel) => channel.deleteExchange(topic));
  } finally {
    await connection.close();
  }
}

/** Deletes the topics and the consumer groups. */
export async function deleteKafkaTopics(created: CreatedNames): Promise<void> {
  await withTestAdmin(async (admin) => {
    const existing = new Set(await admin.listTopics());
    const topics = [...created.topics].filter((topic) => existing.has(topic));
    if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
    const groups = [...new Set(created.subscriptions.map(({ group }) => group))];
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
  });
}
