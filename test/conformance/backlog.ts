import { jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import { connect as connectAmqp } from 'amqplib';
import { withTestAdmin } from '../support/kafka.js';

// What each broker says a group has not acknowledged yet: the conformance suite checks it reaches
// zero, so a plugin that forgot to acknowledge (and would see its messages again later) fails.

/** Messages waiting for the group's durable consumer plus those delivered and not acknowledged. */
export async function natsBacklog(servers: string, group: string, topic: string, prefix = 'vrpc_'): Promise<number> {
  const nc = await connectNats({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.consumers.info(`${prefix}${topic.replace(/\./g, '_')}`, group.replace(/[^A-Za-z0-9_-]/g, '_'));
    return info.num_pending + info.num_ack_pending;
  } finally {
    await nc.close();
  }
}

/** Messages ready in the group's queue (unacknowledged ones are back there once their channel closed). */
export async function rabbitMqBacklog(url: string, group: string, topic: string): Promise<number> {
  const connection = await connectAmqp(url);
  try {
    const channel = await connection.createChannel();
    const { messageCount } = await channel.checkQueue(`${group}@${topic}`);
    await channel.close();
    return messageCount;
  } finally {
    await connection.close();
  }
}

/** The group's lag: messages after its committed offsets. */
export async function kafkaBacklog(group: string, topic: string): Promise<number> {
  return withTestAdmin(async (admin) => {
    const [ends, [committed]] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId: group, topics: [topic] }),
    ]);
    let lag = 0;
    for (const { partition, high, low } of ends) {
      const at = committed?.partitions.find((entry) => entry.partition === partition)?.offset ?? '-1';
      lag += Number(high) - Number(at === '-1' ? low : at);
    }
    return lag;
  });
}
