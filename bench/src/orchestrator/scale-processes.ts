import { cpuBetween, type ProcessUsage } from '../child/process-usage.js';
import { runConfigEnv, type RunConfig } from '../config/run-config.js';
import type { LoadResult } from '../load/load-generator.js';
import { ChildHandle } from './child-handle.js';
import { COMMAND_MARGIN_MS, START_TIMEOUT_MS } from './contender-processes.js';

/** One load spread over every client of a scenario, and what it cost. */
export interface ScaleMeasurement {
  concurrency: number;
  calls: number;
  errors: number;
  firstError?: string;
  /** Sum of the clients' calls per second, each over its own measured window. */
  throughput: number;
  /** The worst client's p99 (ms). */
  p99: number;
  clientCpuUsPerCall: number;
  serverCpuUsPerCall: number;
}

/**
 * `servers` vRPC server processes (one consumer group: the request partitions are shared out
 * among them) and `clients` client processes (each with its own reply inbox on the one reply
 * topic), started with the scenario's run config.
 */
export class ScaleProcesses {
  private constructor(
    private readonly servers: ChildHandle[],
    private readonly clients: ChildHandle[],
  ) {}

  static async start(config: RunConfig, servers: number, clients: number): Promise<ScaleProcesses> {
    const spawn = (role: 'server' | 'client', index: number) =>
      new ChildHandle(
        {
          name: `vrpc ${role} ${index + 1}`,
          script: new URL(`../child/${role}.process.js`, import.meta.url),
          args: ['vrpc'],
          env: { ...runConfigEnv(config), KAFKAJS_NO_PARTITIONER_WARNING: '1' },
          execArgv: [],
        },
        START_TIMEOUT_MS,
      );
    const started: ChildHandle[] = [];
    try {
      // One after another: each join rebalances the group; clients once every server serves.
      for (let i = 0; i < servers; i++) await started[started.push(spawn('server', i)) - 1].ready;
      for (let i = 0; i < clients; i++) await started[started.push(spawn('client', i)) - 1].ready;
    } catch (error: unknown) {
      await Promise.allSettled(started.map((child) => child.stop()));
      throw error;
    }
    return new ScaleProcesses(started.slice(0, servers), started.slice(servers));
  }

  /** `concurrency` calls in flight in all, shared evenly among the clients, for `durationMs`. */
  async measure(concurrency: number, durationMs: number, callTimeoutMs: number): Promise<ScaleMeasurement> {
    const perClient = Math.max(1, Math.round(concurrency / this.clients.length));
    const before = await this.serverUsage();
    const results = await Promise.all(
      this.clients.map((client) =>
        client.command<LoadResult>('load', { concurrency: perClient, durationMs }, durationMs + callTimeoutMs + COMMAND_MARGIN_MS),
      ),
    );
    const after = await this.serverUsage();
    const calls = results.reduce((sum, r) => sum + r.calls, 0);
    const serverCpu = after.reduce((sum, usage, i) => sum + cpuBetween(before[i], usage), 0);
    const clientCpu = results.reduce((sum, r) => sum + r.clientCpuUs, 0);
    return {
      concurrency: perClient * this.clients.length,
      calls,
      errors: results.reduce((sum, r) => sum + r.errors, 0),
      firstError: results.find((r) => r.firstError)?.firstError,
      throughput: results.reduce((sum, r) => sum + r.throughput, 0),
      p99: Math.max(...results.map((r) => r.latency.p99)),
      clientCpuUsPerCall: calls > 0 ? clientCpu / calls : 0,
      serverCpuUsPerCall: calls > 0 ? serverCpu / calls : 0,
    };
  }

  async close(): Promise<void> {
    for (const client of this.clients) await client.close(COMMAND_MARGIN_MS).catch(() => undefined);
    for (const server of this.servers) await server.close(COMMAND_MARGIN_MS).catch(() => undefined);
  }

  async kill(): Promise<void> {
    await Promise.allSettled([...this.clients, ...this.servers].map((child) => child.stop()));
  }

  private serverUsage(): Promise<ProcessUsage[]> {
    return Promise.all(this.servers.map((server) => server.command<ProcessUsage>('usage', { gc: false }, COMMAND_MARGIN_MS)));
  }
}
