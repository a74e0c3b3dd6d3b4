import { parseArgs } from 'node:util';

/** One shape of deployment: server processes, request partitions, client processes. */
export interface ScaleScenario {
  servers: number;
  partitions: number;
  clients: number;
}

/** How much a run of the scale bench measures. */
export interface ScaleBenchOptions {
  mode: 'quick' | 'full';
  scenarios: ScaleScenario[];
  /** Calls in flight in all, shared among a scenario's clients. */
  concurrencies: number[];
  rounds: number;
  durationMs: number;
  warmupMs: number;
}

/**
 * Each aspect moved alone from one server, 8 request partitions (vRPC's default) and one client:
 * 1–3 servers sharing the partitions; 1, 4 and 8 partitions; 8 clients sharing the reply topic.
 */
export const SCENARIOS: ScaleScenario[] = [
  { servers: 1, partitions: 8, clients: 1 },
  { servers: 2, partitions: 8, clients: 1 },
  { servers: 3, partitions: 8, clients: 1 },
  { servers: 1, partitions: 1, clients: 1 },
  { servers: 1, partitions: 4, clients: 1 },
  { servers: 1, partitions: 8, clients: 8 },
];

const PRESETS: Record<ScaleBenchOptions['mode'], Omit<ScaleBenchOptions, 'mode' | 'scenarios'>> = {
  quick: { concurrencies: [64, 512], rounds: 1, durationMs: 2_000, warmupMs: 1_500 },
  full: { concurrencies: [64, 512], rounds: 3, durationMs: 8_000, warmupMs: 3_000 },
};

export const SCALE_USAGE = `usage: npm run bench:scale -- [--quick] [--rounds N] [--duration SECONDS]
  vRPC over kafkajs at ${PRESETS.full.concurrencies.join(' and ')} in flight, in ${SCENARIOS.length} shapes: 1–3 server processes,
  1/4/8 request partitions, 8 client processes sharing the reply topic
  --quick         1 round of 2 s per load (the figures are indicative only)
  --rounds N      rounds (each runs every shape once)
  --duration S    seconds per load`;

export function parseScaleOptions(argv: string[]): ScaleBenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const mode = values.quick ? 'quick' : 'full';
  const options: ScaleBenchOptions = { mode, scenarios: SCENARIOS, ...PRESETS[mode] };
  const positive = (value: string, name: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${value}"\n${SCALE_USAGE}`);
    return n;
  };
  if (values.rounds !== undefined) options.rounds = Math.round(positive(values.rounds, 'rounds'));
  if (values.duration !== undefined) options.durationMs = positive(values.duration, 'duration') * 1000;
  return options;
}
