import { requestTopic } from '../protocol/topic-names.js';
import type { VrpcTopicOptions } from '../protocol/topic-options.interface.js';
import { DEFAULT_GROUP_PREFIX } from '../protocol/vrpc.constants.js';
import { VrpcMessages } from '../errors/vrpc.messages.js';

/** One request topic a process reads, and the services it serves from it. */
export interface ServedTopic {
  topic: string;
  services: string[];
  /**
   * `<groupPrefix><package.Service>` for a topic that carries one service (the group every
   * release has used, so its commits still count), `<groupPrefix><topic>` for a shared one.
   */
  group: string;
}

/** The served services grouped by request topic, in the order they were given; subscribed once each. */
export function servedTopics(services: readonly string[], topics: VrpcTopicOptions, groupPrefix = DEFAULT_GROUP_PREFIX): ServedTopic[] {
  const byTopic = new Map<string, string[]>();
  for (const service of services) {
    const topic = requestTopic(service, topics);
    const sharing = byTopic.get(topic);
    if (sharing) {
      if (!sharing.includes(service)) sharing.push(service);
    } else byTopic.set(topic, [service]);
  }
  return [...byTopic].map(([topic, served]) => ({
    topic,
    services: served,
    group: `${groupPrefix}${served.length === 1 ? served[0] : topic}`,
  }));
}

/**
 * Warnings for services that `topics.requests` maps to a topic this process reads but that it
 * does not serve: their requests reach this process too, and are answered UNIMPLEMENTED here.
 */
export function unservedWarnings(served: readonly ServedTopic[], topics: VrpcTopicOptions): string[] {
  const read = new Map(served.map((entry) => [entry.topic, entry]));
  const warnings: string[] = [];
  for (const [service, topic] of Object.entries(topics.requests ?? {})) {
    const entry = read.get(topic);
    if (entry && !entry.services.includes(service)) warnings.push(VrpcMessages.unservedOnTopic(service, topic, entry.group));
  }
  return warnings;
}
