import type { VrpcBus, VrpcCallError, VrpcClient, VrpcModuleOptions } from '@vrpc/nestjs';
import type { EchoServiceClient } from '../../fixtures/echo.service.js';
import type { EchoApp } from '../../support/echo-app.js';
import type { CreatedNames } from '../conformance-support.js';

/** A message as a raw reader of a topic saw it. */
export interface TappedMessage {
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

/** The broker itself, under vRPC: for scenarios that put bytes on a topic or read them. */
export interface RawTopics {
  /** Reads `topic` from its start with a group of its own; the array fills as messages arrive. */
  tap(topic: string): Promise<TappedMessage[]>;
  /** Writes one message to `topic`, as another producer would. */
  produce(topic: string, message: { key: string; value: Buffer }): Promise<void>;
  close(): Promise<void>;
}

/** A bus for the core scenarios: selected by name in the options, or given as an instance. */
export interface VrpcBusChoice {
  name: string;
  /** Options that select the bus by name (`bus: '…'` plus its settings). */
  options(): Partial<VrpcModuleOptions>;
  /** A bus instance, for selection through DI. */
  create(): VrpcBus;
  /** Clients must share the app's bus instance to reach its server (in-process buses). */
  clientsShareOneBus?: boolean;
  /** Raw access to the broker; the scenarios that need it run only where it is given. */
  raw?(): RawTopics;
  /** Deletes what the tests created on a shared broker. */
  cleanup?(created: CreatedNames): Promise<void>;
}

/** What the scenarios of one bus share: one app serving EchoService, and its client. */
export interface VrpcScenarioContext {
  readonly choice: VrpcBusChoice;
  readonly options: VrpcModuleOptions;
  readonly echoApp: EchoApp;
  readonly echo: EchoServiceClient;
  /** A second client instance: on the app's bus where clients must share it, else owning one of its own. */
  otherClient(): VrpcClient;
}

export const ECHO_SERVICE = 'vrpc.echo.EchoService';

/** The error a call failed with, or undefined when it succeeded. */
export const failure = (call: Promise<unknown>): Promise<VrpcCallError | undefined> =>
  call.then(
    () => undefined,
    (error: unknown) => error as VrpcCallError,
  );
