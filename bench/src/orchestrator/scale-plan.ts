import type { RunConfig } from '../config/run-config.js';
import type { ScaleBenchOptions, ScaleScenario } from '../config/scale-options.js';
import type { Progress } from './progress.js';
import { type ScaleMeasurement, ScaleProcesses } from './scale-processes.js';

/** One shape's measurements, round by round. */
export interface ScaleResult extends ScaleScenario {
  label: string;
  ok: boolean;
  error?: string;
  rounds: ScaleMeasurement[][];
}

export const scenarioLabel = ({ servers, partitions, clients }: ScaleScenario) =>
  `${servers} server${servers > 1 ? 's' : ''} · ${partitions} partition${partitions > 1 ? 's' : ''} · ${clients} client${clients > 1 ? 's' : ''}`;

export const countScaleSteps = (options: ScaleBenchOptions) => options.rounds * options.scenarios.length;

/**
 * Runs every shape in each round, one at a time (its processes started for it and stopped
 * after, its topics its own: a partition count is fixed when a topic is made).
 */
export class ScalePlan {
  constructor(
    private readonly options: ScaleBenchOptions,
    private readonly config: RunConfig,
    private readonly progress: Progress,
    private readonly callTimeoutMs: number,
  ) {}

  async run(): Promise<ScaleResult[]> {
    const results: ScaleResult[] = this.options.scenarios.map((scenario) => ({
      ...scenario,
      label: scenarioLabel(scenario),
      ok: true,
      rounds: [],
    }));
    for (let round = 0; round < this.options.rounds; round++) {
      for (const result of results) {
        if (!result.ok) continue;
        this.progress.start(
          `round ${round + 1}: ${result.label}`,
          this.options.warmupMs + this.options.concurrencies.length * this.options.durationMs,
        );
        try {
          const measured = await this.measure(result);
          result.rounds.push(measured);
          const failed = measured.find((m) => m.errors > 0);
          if (failed) throw new Error(`${failed.errors} calls failed at ${failed.concurrency} in flight: ${failed.firstError ?? ''}`);
          this.progress.finish(
            `${result.label}: ${measured.map((m) => `${Math.round(m.throughput).toLocaleString('en')} calls/s @ ${m.concurrency}`).join(', ')}`,
          );
        } catch (error: unknown) {
          result.ok = false;
          result.error = error instanceof Error ? error.message : String(error);
          this.progress.finish(`${result.label}: FAILED (${result.error.split('\n')[0]})`);
        }
      }
    }
    return results;
  }

  private async measure(scenario: ScaleScenario): Promise<ScaleMeasurement[]> {
    const { servers, partitions, clients } = scenario;
    const config: RunConfig = {
      ...this.config,
      runId: `${this.config.runId}.s${servers}p${partitions}c${clients}`,
      requestPartitions: partitions,
    };
    const processes = await ScaleProcesses.start(config, servers, clients);
    try {
      await processes.measure(64, this.options.warmupMs, this.callTimeoutMs);
      const measured: ScaleMeasurement[] = [];
      for (const concurrency of this.options.concurrencies)
        measured.push(await processes.measure(concurrency, this.options.durationMs, this.callTimeoutMs));
      await processes.close();
      return measured;
    } catch (error: unknown) {
      await processes.kill();
      throw error;
    }
  }
}
