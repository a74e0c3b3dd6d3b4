import type { BenchOptions } from '../config/bench-options.js';
import type { RunConfig } from '../config/run-config.js';
import { CONTENDER_LABELS, type ContenderId } from '../contenders/registry.js';
import type { LoadParams } from '../load/load-generator.js';
import type { ContenderResult, LeakResult } from '../report/results.js';
import { ContenderProcesses, type PhaseResult } from './contender-processes.js';
import { checkVrpcMemory } from './memory-check.js';
import type { Progress } from './progress.js';

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(2));
const perSecond = (value: number) => Math.round(value).toLocaleString('en');
const cpuPerCall = (cpuUs: number, phase: PhaseResult) => (phase.calls > 0 ? (cpuUs / phase.calls).toFixed(0) : '–');

/** How many progress steps a run has. */
export function countSteps(options: BenchOptions): number {
  const perRound = 1 + options.concurrencies.length;
  const leak = options.leakTotal > 0 && options.contenders.includes('vrpc') ? 3 : 0;
  return options.contenders.length * (2 + options.rounds * perRound) + leak;
}

/** Runs the contenders round by round, phase by phase, in an order that rotates each round. */
export class RunPlan {
  private readonly results = new Map<ContenderId, ContenderResult>();
  private readonly running = new Map<ContenderId, ContenderProcesses>();

  constructor(
    private readonly options: BenchOptions,
    private readonly config: RunConfig,
    private readonly progress: Progress,
  ) {
    for (const id of options.contenders) this.results.set(id, { id, label: CONTENDER_LABELS[id], ok: true, rounds: [] });
  }

  async run(): Promise<{ contenders: ContenderResult[]; leak?: LeakResult }> {
    try {
      // Started one after another: consumer-group joins and JIT would disturb each other.
      for (const id of this.options.contenders) await this.start(id);
      for (const id of this.options.contenders) await this.warmUp(id);
      for (let round = 0; round < this.options.rounds; round++) await this.runRound(round);
    } finally {
      for (const id of [...this.running.keys()]) await this.close(id);
    }
    let leak: LeakResult | undefined;
    if (this.options.leakTotal > 0 && this.options.contenders.includes('vrpc')) {
      leak = await checkVrpcMemory(this.options, this.config, this.progress);
      if (leak.error) this.fail('vrpc', `memory check: ${leak.error}`);
    }
    return { contenders: [...this.results.values()], leak };
  }

  private async start(id: ContenderId): Promise<void> {
    this.progress.start(`starting ${id}`, 0);
    try {
      const processes = await ContenderProcesses.start(id, this.config, { profile: this.options.profile, exposeGc: false });
      this.running.set(id, processes);
      this.result(id).startup = processes.startup;
      this.progress.finish(`${id}: server ready in ${ms(processes.startup.serverMs)} ms, client in ${ms(processes.startup.clientMs)} ms`);
    } catch (error: unknown) {
      this.fail(id, `did not start: ${describe(error)}`);
      this.progress.finish(`${id}: FAILED to start (${describe(error).split('\n')[0]})`);
    }
  }

  private async warmUp(id: ContenderId): Promise<void> {
    const processes = this.running.get(id);
    if (!processes) return this.progress.finish(`${id}: skipped (not running)`);
    this.progress.start(`warming up ${id}`, this.options.warmupMs);
    try {
      await this.phase(processes, { concurrency: 64, durationMs: this.options.warmupMs });
      await this.phase(processes, { concurrency: 1, calls: 50, durationMs: 2_000 });
      this.progress.finish(`${id}: warmed up`);
    } catch (error: unknown) {
      await this.abandon(id, error);
    }
  }

  /**
   * One round: each phase in turn, and within a phase every contender, in an order that
   * rotates each round, so that the figures compared with each other are minutes apart at most.
   */
  private async runRound(round: number): Promise<void> {
    const ids = this.options.contenders;
    const order = ids.map((_, i) => ids[(i + round) % ids.length]);
    const measured = new Map<ContenderId, { latency?: PhaseResult; throughput: PhaseResult[] }>(
      order.map((id) => [id, { throughput: [] }]),
    );
    for (const concurrency of [1, ...this.options.concurrencies]) {
      for (const id of order) {
        const phase = await this.measurePhase(id, round, concurrency);
        const entry = measured.get(id);
        if (!phase || !entry) continue;
        if (concurrency === 1) entry.latency = phase;
        else entry.throughput.push(phase);
      }
    }
    for (const [position, id] of order.entries()) {
      const { latency, throughput } = measured.get(id) ?? { throughput: [] };
      if (latency && throughput.length === this.options.concurrencies.length) {
        this.result(id).rounds.push({ round, position, latency, throughput });
      }
    }
  }

  /** One phase of one contender: latency at 1 in flight (bounded by calls), or throughput (bounded by time). */
  private async measurePhase(id: ContenderId, round: number, concurrency: number): Promise<PhaseResult | undefined> {
    const processes = this.running.get(id);
    const tag = `round ${round + 1}/${this.options.rounds} · ${id} · ${concurrency} in flight`;
    if (!processes) {
      this.progress.finish(`${tag}: skipped`);
      return undefined;
    }
    try {
      if (concurrency === 1) {
        this.progress.start(tag, this.options.latencyMaxMs);
        const phase = await this.phase(processes, { concurrency, calls: this.options.latencyCalls, durationMs: this.options.latencyMaxMs });
        const l = phase.latency;
        this.progress.finish(`${tag}: p50 ${ms(l.p50)} p90 ${ms(l.p90)} p99 ${ms(l.p99)} max ${ms(l.max)} ms (${l.count} calls)`);
        return phase;
      }
      this.progress.start(tag, this.options.durationMs);
      const phase = await this.phase(processes, { concurrency, durationMs: this.options.durationMs });
      this.progress.finish(
        `${tag}: ${perSecond(phase.throughput)} calls/s, p50 ${ms(phase.latency.p50)} p99 ${ms(phase.latency.p99)} ms, ` +
          `CPU µs/call client ${cpuPerCall(phase.clientCpuUs, phase)} server ${cpuPerCall(phase.serverCpuUs, phase)}`,
      );
      return phase;
    } catch (error: unknown) {
      await this.abandon(id, error);
      return undefined;
    }
  }

  /** One load; failed calls make the contender count as errored (the run goes on). */
  private async phase(processes: ContenderProcesses, params: LoadParams): Promise<PhaseResult> {
    const result = await processes.measure(params, params.durationMs ?? 0, this.config.callTimeoutMs);
    if (result.errors > 0) {
      this.fail(
        processes.id,
        `${result.errors} of ${result.errors + result.calls} calls failed at ${params.concurrency} in flight: ${result.firstError}`,
      );
    }
    return result;
  }

  private async abandon(id: ContenderId, error: unknown): Promise<void> {
    this.fail(id, describe(error));
    this.progress.finish(`${id}: FAILED (${describe(error).split('\n')[0]}); its remaining phases are skipped`);
    await this.running.get(id)?.kill();
    this.running.delete(id);
  }

  private async close(id: ContenderId): Promise<void> {
    const processes = this.running.get(id);
    this.running.delete(id);
    if (processes) this.result(id).final = await processes.close();
  }

  private fail(id: ContenderId, error: string): void {
    const result = this.result(id);
    result.ok = false;
    result.error ??= error;
  }

  private result(id: ContenderId): ContenderResult {
    const result = this.results.get(id);
    if (!result) throw new Error(`no result slot for ${id}`);
    return result;
  }
}
