import { join } from 'node:path';
import type { ProcessUsage } from '../child/process-usage.js';
import { cpuBetween } from '../child/process-usage.js';
import { runConfigEnv, type RunConfig } from '../config/run-config.js';
import type { ContenderId } from '../contenders/registry.js';
import type { LoadParams, LoadResult } from '../load/load-generator.js';
import { BENCH_DIR } from '../paths.js';
import { ChildHandle } from './child-handle.js';

/** One measurement, with what it cost the server. */
export interface PhaseResult extends LoadResult {
  serverCpuUs: number;
}

/** How the children of one contender are started. */
export interface ProcessOptions {
  /** Write CPU profiles to bench/profiles/<runId>/. */
  profile: boolean;
  /** Allow `gc()` before memory snapshots. */
  exposeGc: boolean;
  /** Which children: the unary bench's (default) or the streaming bench's (`child/stream-*.process.js`). */
  kind?: 'unary' | 'streams';
}

/** How long a child may take to start, and what a command may take beyond its own work. */
export const START_TIMEOUT_MS = 120_000;
export const COMMAND_MARGIN_MS = 60_000;

/** A contender's server and client processes. */
export class ContenderProcesses<Id extends string = ContenderId> {
  private constructor(
    readonly id: Id,
    readonly server: ChildHandle,
    readonly client: ChildHandle,
    readonly startup: { serverMs: number; clientMs: number },
  ) {}

  /** Starts the server, waits until it serves, then starts the client and waits until it is connected. */
  static async start<Id extends string = ContenderId>(id: Id, config: RunConfig, options: ProcessOptions): Promise<ContenderProcesses<Id>> {
    const script = options.kind === 'streams' ? 'stream-' : '';
    const spawn = (role: 'server' | 'client') => {
      const execArgv = [...(options.exposeGc ? ['--expose-gc'] : [])];
      if (options.profile)
        execArgv.push(
          '--cpu-prof',
          `--cpu-prof-dir=${join(BENCH_DIR, 'profiles', config.runId)}`,
          `--cpu-prof-name=${id}-${role}-${Date.now()}.cpuprofile`,
        );
      return new ChildHandle(
        {
          name: `${id} ${role}`,
          script: new URL(`../child/${script}${role}.process.js`, import.meta.url),
          args: [id],
          // kafkajs warns about its partitioner change at every producer; it is noise here.
          env: { ...runConfigEnv(config), KAFKAJS_NO_PARTITIONER_WARNING: '1' },
          execArgv,
        },
        START_TIMEOUT_MS,
      );
    };
    const server = spawn('server');
    let client: ChildHandle | undefined;
    try {
      const served = await server.ready;
      client = spawn('client');
      const connected = await client.ready;
      return new ContenderProcesses(id, server, client, { serverMs: served.startupMs, clientMs: connected.startupMs });
    } catch (error: unknown) {
      await Promise.allSettled([server.stop(), client?.stop()]);
      throw error;
    }
  }

  /** Runs one load on the client and measures the server's CPU time around it. */
  async measure(params: LoadParams, expectedMs: number, callTimeoutMs: number): Promise<PhaseResult> {
    const before = await this.serverUsage();
    const result = await this.client.command<LoadResult>('load', params, expectedMs + callTimeoutMs + COMMAND_MARGIN_MS);
    const after = await this.serverUsage();
    return { ...result, serverCpuUs: cpuBetween(before, after) };
  }

  /** Runs `command` on the client and measures the server's CPU time around it. */
  async measureCommand<T>(command: string, params: unknown, timeoutMs: number): Promise<{ value: T; serverCpuUs: number }> {
    const before = await this.serverUsage();
    const value = await this.client.command<T>(command, params, timeoutMs + COMMAND_MARGIN_MS);
    const after = await this.serverUsage();
    return { value, serverCpuUs: cpuBetween(before, after) };
  }

  /** Both processes' usage; with `gc`, after a collection (needs `exposeGc`). */
  async usage(gc = false): Promise<{ server: ProcessUsage; client: ProcessUsage }> {
    const [server, client] = await Promise.all([this.serverUsage(gc), this.clientUsage(gc)]);
    return { server, client };
  }

  /** Closes the client, then the server; returns their final usage (peak RSS, total CPU). */
  async close(): Promise<{ server?: ProcessUsage; client?: ProcessUsage }> {
    const client = await this.client.close(COMMAND_MARGIN_MS).catch(() => undefined);
    const server = await this.server.close(COMMAND_MARGIN_MS).catch(() => undefined);
    return { server, client };
  }

  /** Ends both processes without asking (after a failure). */
  async kill(): Promise<void> {
    await Promise.allSettled([this.client.stop(), this.server.stop()]);
  }

  private serverUsage(gc = false): Promise<ProcessUsage> {
    return this.server.command<ProcessUsage>('usage', { gc }, COMMAND_MARGIN_MS);
  }

  private clientUsage(gc = false): Promise<ProcessUsage> {
    return this.client.command<ProcessUsage>('usage', { gc }, COMMAND_MARGIN_MS);
  }
}
