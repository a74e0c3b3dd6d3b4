import type { VrpcBusConfig } from '../../bus/bus-config.interface.js';
import type { VrpcBus } from '../../bus/bus.interface.js';
import type { CreatedNames } from './conformance-support.js';

/** What the conformance suite needs to know about a bus plugin. */
export interface BusPlugin {
  /** Shown in test names. */
  name: string;
  /** A new bus, not yet connected. */
  create(): VrpcBus;
  /** Every member uses the one bus from `create()`-then-connect in `beforeAll` (in-process buses). */
  membersShareOneBus?: boolean;
  /** Partitions of the topics the tests create (default 4). */
  partitions?: number;
  /** Longest wait for something that goes through the broker, in ms (default 15 000). */
  waitMs?: number;
  /** Messages published before a group's first member subscribed are delivered to it (a log: Kafka, JetStream). */
  keepsMessagesBeforeFirstMember: boolean;
  /** Messages published while every member of a group is away wait for the group. */
  keepsMessagesWhileGroupAway: boolean;
  /**
   * Crash tests: how a member in a child process makes its bus — a bus config for `createBus`, or the URL
   * of a module whose default export makes it — how soon the broker redelivers, and the node
   * arguments the child needs (e.g. `['--import', 'tsx']` when that module is TypeScript).
   * With `capabilities.deliveryCount`, a poison request is also crashed on until it is set aside.
   */
  crash?: { options?: VrpcBusConfig; module?: string; redeliveryWithinMs: number; nodeArgs?: string[] };
  /** Reconnect test: a bus that reaches the broker through a loopback proxy on `port`. */
  throughProxy?: { host: string; port: number; create(port: number): VrpcBus };
  /**
   * Messages of `topic` that `group` has not acknowledged yet (waiting or in flight), as the
   * broker sees it: proves acknowledgements reach the broker.
   */
  backlog?: (group: string, topic: string) => Promise<number>;
  /** Deletes what the tests created on a shared broker (streams, queues, topics, groups). */
  cleanup?(created: CreatedNames): Promise<void>;
}
