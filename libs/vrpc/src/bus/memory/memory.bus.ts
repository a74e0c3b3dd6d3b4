import type {
  BusCapabilities,
  BusHealth,
  BusInbox,
  BusSubscription,
  InboxOptions,
  IncomingMessage,
  MessageHandler,
  OutgoingMessage,
  PartitionLag,
  SubscribeOptions,
  TopicSpec,
  VrpcBus,
} from '../bus.interface.js';
import { VrpcBusError } from '../../errors/vrpc-bus.error.js';
import { VrpcPublishError } from '../../errors/vrpc-publish.error.js';
import { drainDeadline } from '../core/drain-deadline.js';
import { messageBytes } from '../core/message-size.js';
import { hashString } from '../../utils/hash.js';
import { MemoryGroupMember } from './memory-group-member.js';

interface TopicState {
  partitions: number;
  offsets: number[];
  groups: Map<string, MemoryGroupMember[]>;
  /** Inbox handlers by partition; -1 holds whole-topic inboxes. */
  inboxes: Map<number, Set<MessageHandler>>;
}

/**
 * An in-process bus with Kafka's semantics where they matter to vRPC: partitions chosen by
 * key, one member of each group per message, unacknowledged messages redelivered when their
 * member leaves. For unit tests and single-process use.
 */
export class MemoryBus implements VrpcBus {
  readonly system: string = 'memory';
  /** A crash ends the bus with the process: there is nothing to count. */
  readonly capabilities: BusCapabilities = { deliveryCount: false };
  private readonly topics = new Map<string, TopicState>();
  private connected = false;

  /**
   * @param defaultPartitions partitions of topics nobody provisioned
   * @param maxMessageBytes largest message taken (default: no limit), to try size limits without a broker
   */
  constructor(
    private readonly defaultPartitions = 4,
    readonly maxMessageBytes?: number,
  ) {}

  connect(): Promise<void> {
    this.connected = true;
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.connected = false;
    return Promise.resolve();
  }

  health(): Promise<BusHealth> {
    return Promise.resolve({ healthy: this.connected });
  }

  ensureTopics(specs: TopicSpec[]): Promise<void> {
    for (const spec of specs) this.topic(spec.topic, spec.partitions);
    return Promise.resolve();
  }

  publish(messages: OutgoingMessage[]): Promise<void> {
    if (!this.connected) return Promise.reject(new VrpcBusError('memory', 'not connected'));
    const limit = this.maxMessageBytes ?? Infinity;
    const tooLarge = messages.find((message) => messageBytes(message) > limit);
    if (tooLarge) {
      const text = `a message of ${messageBytes(tooLarge)} bytes to ${tooLarge.topic} is over the limit of ${limit}`;
      return Promise.reject(new VrpcPublishError('memory', 'too-large', true, text));
    }
    for (const message of messages) this.route(message);
    return Promise.resolve();
  }

  subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<BusSubscription> {
    const member = new MemoryGroupMember(handler, options.concurrency, options.orderByKey ?? false);
    for (const name of options.topics) {
      const groups = this.topic(name).groups;
      groups.set(options.group, [...(groups.get(options.group) ?? []), member]);
    }
    const close = async (): Promise<void> => {
      for (const name of options.topics) {
        const groups = this.topic(name).groups;
        groups.set(
          options.group,
          (groups.get(options.group) ?? []).filter((m) => m !== member),
        );
      }
      for (const message of await member.close(drainDeadline(options))) this.deliverToGroup(message, options.group);
    };
    const lag = () => Promise.resolve(member.lag());
    const state = () => ({ consuming: !member.isClosed, restarts: 0 });
    return Promise.resolve({ close, lag, state });
  }

  openInbox(instanceId: string, topic: string, handler: MessageHandler, options?: InboxOptions): Promise<BusInbox> {
    const state = this.topic(topic);
    const whole = options?.scope === 'whole-topic';
    // A whole-topic inbox is kept under partition -1, which every message of the topic reaches.
    const partition = whole ? -1 : hashString(instanceId) % state.partitions;
    const handlers = state.inboxes.get(partition) ?? new Set<MessageHandler>();
    handlers.add(handler);
    state.inboxes.set(partition, handlers);
    const close = (): Promise<void> => {
      handlers.delete(handler);
      return Promise.resolve();
    };
    // Delivered as published, nothing is kept back: an inbox here is never behind.
    const lag = () => Promise.resolve<PartitionLag[]>([]);
    return Promise.resolve({ address: whole ? { topic } : { topic, partition }, close, lag });
  }

  private topic(name: string, partitions = this.defaultPartitions): TopicState {
    let state = this.topics.get(name);
    if (!state) {
      state = { partitions, offsets: new Array<number>(partitions).fill(0), groups: new Map(), inboxes: new Map() };
      this.topics.set(name, state);
    }
    return state;
  }

  private route(outgoing: OutgoingMessage): void {
    const state = this.topic(outgoing.topic);
    const partition = outgoing.partition ?? (outgoing.key !== undefined ? hashString(outgoing.key) % state.partitions : 0);
    const offset = state.offsets[partition]++;
    const message: IncomingMessage = {
      topic: outgoing.topic,
      partition,
      offset: String(offset),
      key: outgoing.key ?? null,
      value: outgoing.value,
      headers: { ...outgoing.headers },
    };
    setImmediate(() => {
      for (const handler of state.inboxes.get(partition) ?? []) void handler(message).catch(() => undefined);
      for (const handler of state.inboxes.get(-1) ?? []) void handler(message).catch(() => undefined);
      for (const group of state.groups.keys()) this.deliverToGroup(message, group);
    });
  }

  private deliverToGroup(message: IncomingMessage, group: string): void {
    const members = (this.topic(message.topic).groups.get(group) ?? []).filter((m) => !m.isClosed);
    if (members.length === 0) return;
    members[message.partition % members.length].deliver(message);
  }
}
