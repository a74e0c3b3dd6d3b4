import type { RunConfig } from '../config/run-config.js';
import type { StreamBenchOptions } from '../config/stream-options.js';
import {
  NOT_RUN,
  runsScenario,
  STREAM_CONTENDER_LABELS,
  STREAM_SCENARIOS,
  type StreamContenderId,
  type StreamScenario,
} from '../contenders/streams/stream-registry.js';
import type { StreamLoadResult, StreamPhaseParams } from '../load/stream-load.js';
import type { StreamContenderResult, StreamPhaseResult } from '../report/stream-results.js';
import { ContenderProcesses } from './contender-processes.js';
import type { Progress } from './progress.js';
import { runSlowConsumer } from './slow-consumer.js';

type Processes = ContenderProcesses<StreamContenderId>;

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
const count = (n: number) => Math.round(n).toLocaleString('en');
const perMessage = (cpuUs: number, phase: StreamLoadResult) => (phase.messages > 0 ? (cpuUs / phase.messages).toFixed(1) : '–');

/** How many progress steps a run of the streaming bench has. */
export function countStreamSteps(options: StreamBenchOptions): number {
  const phases = options.contenders.reduce((sum, id) => sum + STREAM_SCENARIOS.filter((s) => runsScenario(id, s)).length, 0);
  return options.contenders.length * 2 + options.rounds * phases + (options.slowCount > 0 ? options.contenders.length : 0);
}

/**
 * The streaming bench: every contender started, warmed up, then rounds of every scenario in an
 * order that rotates each round; then the slow consumer, per contender, in fresh processes.
 */
export class StreamPlan {
  private readonly results = new Map<StreamContenderId, StreamContenderResult>();
  private readonly running = new Map<StreamContenderId, Processes>();

  constructor(
    private readonly options: StreamBenchOptions,
    private readonly config: RunConfig,
    private readonly progress: Progress,
  ) {
    for (const id of options.contenders)
      this.results.set(id, { id, label: STREAM_CONTENDER_LABELS[id], ok: true, rounds: [], notRun: { ...NOT_RUN[id] } });
  }

  async run(): Promise<StreamContenderResult[]> {
    try {
      // Started one after another: consumer-group joins and JIT would disturb each other.
      for (const id of this.options.contenders) await this.start(id);
      for (const id of this.options.contenders) await this.warmUp(id);
      for (let round = 0; round < this.options.rounds; round++) await this.runRound(round);
    } finally {
      for (const [id, processes] of [...this.running]) {
        this.running.delete(id);
        this.result(id).final = await processes.close();
      }
    }
    if (this.options.slowCount > 0) {
      for (const id of this.options.contenders) {
        const slow = await runSlowConsumer(id, this.options, this.config, this.progress);
        this.result(id).slowConsumer = slow;
        if (slow.error) this.fail(id, `slow consumer: ${slow.error}`);
      }
    }
    return [...this.results.values()];
  }

  private async start(id: StreamContenderId): Promise<void> {
    this.progress.start(`starting ${id}`, 0);
    try {
      const processes = await ContenderProcesses.start(id, this.config, { profile: false, exposeGc: false, kind: 'streams' });
      this.running.set(id, processes);
      this.result(id).startup = processes.startup;
      this.progress.finish(
        `${id}: server ready in ${count(processes.startup.serverMs)} ms, client in ${count(processes.startup.clientMs)} ms`,
      );
    } catch (error: unknown) {
      this.fail(id, `did not start: ${describe(error)}`);
      this.progress.finish(`${id}: FAILED to start (${describe(error).split('\n')[0]})`);
    }
  }

  private async warmUp(id: StreamContenderId): Promise<void> {
    const processes = this.running.get(id);
    if (!processes) return this.progress.finish(`${id}: skipped (not running)`);
    this.progress.start(`warming up ${id}`, 0);
    try {
      for (const scenario of STREAM_SCENARIOS.filter((s) => runsScenario(id, s))) {
        await this.phase(processes, { ...this.params(scenario), count: this.options.warmupCount });
      }
      this.progress.finish(`${id}: warmed up`);
    } catch (error: unknown) {
      await this.abandon(id, error);
    }
  }

  /** One round: each scenario in turn, and within it every contender, in an order that rotates each round. */
  private async runRound(round: number): Promise<void> {
    const ids = this.options.contenders;
    const order = ids.map((_, i) => ids[(i + round) % ids.length]);
    const phases = new Map<StreamContenderId, StreamPhaseResult[]>(order.map((id) => [id, []]));
    for (const scenario of STREAM_SCENARIOS) {
      for (const id of order) {
        if (!runsScenario(id, scenario)) continue;
        const phase = await this.measurePhase(id, round, scenario);
        if (phase) phases.get(id)?.push(phase);
      }
    }
    for (const [position, id] of order.entries()) {
      const measured = phases.get(id) ?? [];
      if (measured.length > 0) this.result(id).rounds.push({ round, position, phases: measured });
    }
  }

  private async measurePhase(id: StreamContenderId, round: number, scenario: StreamScenario): Promise<StreamPhaseResult | undefined> {
    const processes = this.running.get(id);
    const tag = `round ${round + 1}/${this.options.rounds} · ${id} · ${scenario}`;
    if (!processes) {
      this.progress.finish(`${tag}: skipped`);
      return undefined;
    }
    this.progress.start(tag, 0);
    try {
      const phase = await this.phase(processes, this.params(scenario));
      const status = phase.errors > 0 ? ` · ${phase.errors} stream(s) FAILED: ${phase.firstError?.split('\n')[0] ?? ''}` : '';
      this.progress.finish(
        `${tag}: ${count(phase.messagesPerSecond)} msg/s (${count(phase.messages)} messages, ${phase.streams} stream(s)), ` +
          `CPU µs/msg client ${perMessage(phase.clientCpuUs, phase)} server ${perMessage(phase.serverCpuUs, phase)}${status}`,
      );
      return phase;
    } catch (error: unknown) {
      await this.abandon(id, error);
      return undefined;
    }
  }

  private params(scenario: StreamScenario): StreamPhaseParams {
    const { options } = this;
    const messages = scenario === 'bidi-echo' ? options.echoCount : options.serverStreamCount;
    return { scenario, count: messages, size: options.size, streams: options.concurrentStreams, inFlight: options.echoInFlight };
  }

  /** One phase; failed streams make the contender count as failed (the run goes on). */
  private async phase(processes: Processes, params: StreamPhaseParams): Promise<StreamPhaseResult> {
    const { value, serverCpuUs } = await processes.measureCommand<StreamLoadResult>('phase', params, this.config.callTimeoutMs);
    if (value.errors > 0) {
      this.fail(processes.id, `${value.errors} of ${value.streams} stream(s) failed in ${params.scenario}: ${value.firstError ?? ''}`);
    }
    return { ...value, serverCpuUs };
  }

  private async abandon(id: StreamContenderId, error: unknown): Promise<void> {
    this.fail(id, describe(error));
    this.progress.finish(`${id}: FAILED (${describe(error).split('\n')[0]}); its remaining phases are skipped`);
    await this.running.get(id)?.kill();
    this.running.delete(id);
  }

  private fail(id: StreamContenderId, error: string): void {
    const result = this.result(id);
    result.ok = false;
    result.error ??= error;
  }

  private result(id: StreamContenderId): StreamContenderResult {
    const result = this.results.get(id);
    if (!result) throw new Error(`no result slot for ${id}`);
    return result;
  }
}
