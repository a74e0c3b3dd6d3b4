import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VrpcClient, type VrpcModuleOptions } from '@vrpc/nestjs';
import { expect } from 'vitest';
import { ECHO_PROTO, type EchoServiceClient } from '../fixtures/echo.service.js';
import { SideEffects } from '../fixtures/side-effects.js';
import { uniqueName } from '../support/kafka.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { requestCopies } from './request-copies.js';
import { describeFigures, type LoadFigures } from './steady-load.js';

const SERVER = new URL('../processes/echo-server.ts', import.meta.url);

/** What a scenario changes from the defaults. */
export interface ScenarioTuning {
  replicationFactor?: number;
  requestPartitions?: number;
  maxDeliveries?: number;
  /** How long the servers retry a reply the brokers refuse for a while (`server.publishRetryMs`). */
  publishRetryMs?: number;
}

/** Server processes, a client and the side-effect record of one fault scenario. */
export class FaultScenario {
  readonly scope = uniqueName('fault');
  readonly options: Omit<VrpcModuleOptions, 'protos'>;
  private readonly brokers: string[];
  readonly effects = new SideEffects(`${this.scope}:effects`);
  servers: ServerProcess[] = [];
  private client: VrpcClient | undefined;

  constructor(brokers: string[], tuning: ScenarioTuning = {}) {
    this.brokers = brokers;
    this.options = {
      bus: { type: 'kafka', brokers, sessionTimeoutMs: 6_000 },
      topics: {
        requestPrefix: `${this.scope}.req.`,
        replies: `${this.scope}.replies`,
        deadLetter: `${this.scope}.dead`,
        requestPartitions: tuning.requestPartitions ?? 6,
        replyPartitions: 4,
        replicationFactor: tuning.replicationFactor,
      },
      server: { groupPrefix: `${this.scope}.`, maxDeliveries: tuning.maxDeliveries, publishRetryMs: tuning.publishRetryMs },
    };
  }

  /** The consumer group of the echo service's servers. */
  get group(): string {
    return `${this.scope}.vrpc.echo.EchoService`;
  }

  get requestTopic(): string {
    return `${this.scope}.req.vrpc.echo.EchoService`;
  }

  get deadLetterTopic(): string {
    return `${this.scope}.dead`;
  }

  /** Starts `count` more server processes. */
  async startServers(count: number): Promise<ServerProcess[]> {
    const env = { VRPC_TEST_OPTIONS: JSON.stringify(this.options), VRPC_TEST_EFFECTS: `${this.scope}:effects` };
    const started = await Promise.all(Array.from({ length: count }, () => startServerProcess(SERVER, env)));
    this.servers.push(...started);
    return started;
  }

  /** Ends one server with `signal` and waits for it to exit. */
  async stopServer(server: ServerProcess, signal: NodeJS.Signals): Promise<void> {
    server.kill(signal);
    await server.exited;
    this.servers = this.servers.filter((s) => s !== server);
  }

  async echo(): Promise<EchoServiceClient> {
    this.client ??= new VrpcClient({ ...this.options, protos: ECHO_PROTO });
    await this.client.connect();
    return this.client.getService<EchoServiceClient>('EchoService');
  }

  /** Pids of the servers that ended without being told to (a crash, an unhandled rejection). */
  unexpectedExits(): number[] {
    return this.servers.filter((server) => !server.alive()).map((server) => server.pid);
  }

  /** What every scenario must show: each call answered, no server ended without being told to. */
  expectNothingLost(figures: LoadFigures): void {
    expect(figures.failed).toBe(0);
    expect(figures.answered).toBe(figures.sent);
    expect(this.unexpectedExits()).toEqual([]);
  }

  /** The most lines one server wrote to stderr: a log storm shows here. */
  mostLogLines(): number {
    return Math.max(0, ...this.servers.map((server) => server.errorLines()));
  }

  /** Prints the scenario's figures and returns the number of duplicated executions. */
  async report(name: string, tag: string, figures: LoadFigures): Promise<number> {
    const ids = Array.from({ length: figures.sent }, (_, i) => `${tag}-${i}`);
    const duplicates = await this.effects.duplicates(ids);
    const topic = this.requestTopic;
    const copies = await requestCopies(this.brokers, topic, tag, `${this.scope}.diagnosis`);
    const writtenTwice = [...copies.values()].filter((where) => where.length > 1).length;
    console.log(`${describeFigures(name, figures, duplicates, writtenTwice)}; most log lines of one server ${this.mostLogLines()}`);
    if (figures.failedTexts.length) console.log(`[fault]   ${copies.size} of ${figures.sent} requests found on the request topic`);
    for (const text of figures.failedTexts.slice(0, 10)) {
      const where = copies.get(text)?.join(', ') ?? 'not on the request topic';
      console.log(`[fault]   failed call ${text}: executed ${await this.effects.runs(text)} time(s), ${where}`);
    }
    if (figures.failedTexts.length)
      for (const server of this.servers) console.log(`[fault]   server ${server.pid} stderr: ${server.errors().slice(-3000)}`);
    return duplicates;
  }

  async close(): Promise<void> {
    await this.client?.close();
    const servers = [...this.servers];
    await Promise.all(servers.map((server) => this.stopServer(server, 'SIGTERM')));
    await this.effects.close();
    // VRPC_FAULT_LOGS=<dir> keeps each server's stderr, for reading a scenario's timeline.
    const dir = process.env.VRPC_FAULT_LOGS;
    if (dir) {
      await mkdir(dir, { recursive: true });
      await Promise.all(servers.map((server) => writeFile(join(dir, `${this.scope}-${server.pid}.log`), server.errors())));
    }
  }
}
