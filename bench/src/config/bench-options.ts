import { parseArgs } from 'node:util';
import { CONTENDER_IDS, type ContenderId, isContenderId } from '../contenders/registry.js';

/** How much a run measures. */
export interface BenchOptions {
  mode: 'quick' | 'full';
  contenders: ContenderId[];
  rounds: number;
  /** Calls per round at one in flight (the latency phase)… */
  latencyCalls: number;
  /** …unless this much time runs out first. */
  latencyMaxMs: number;
  /** In-flight levels of the throughput phases. */
  concurrencies: number[];
  /** Length of each throughput phase. */
  durationMs: number;
  /** Load before the first round, per contender: JIT, connections, consumer fetch sessions. */
  warmupMs: number;
  /** vRPC memory check: RSS after `leakFirst` calls and after `leakTotal`, in fresh processes; 0 skips it. */
  leakFirst: number;
  leakTotal: number;
  /** Write V8 CPU profiles of every child process to bench/profiles/. */
  profile: boolean;
}

const PRESETS: Record<BenchOptions['mode'], Omit<BenchOptions, 'mode' | 'contenders' | 'profile'>> = {
  // CI: must finish in under two minutes with every contender exercised; numbers are indicative only.
  quick: {
    rounds: 2,
    latencyCalls: 200,
    latencyMaxMs: 4_000,
    concurrencies: [64, 512],
    durationMs: 2_000,
    warmupMs: 1_500,
    leakFirst: 2_000,
    leakTotal: 10_000,
  },
  // The README's numbers.
  full: {
    rounds: 5,
    latencyCalls: 2_000,
    latencyMaxMs: 20_000,
    concurrencies: [64, 512],
    durationMs: 10_000,
    warmupMs: 5_000,
    leakFirst: 10_000,
    leakTotal: 100_000,
  },
};

export const USAGE = `usage: npm run bench -- [--quick] [--only vrpc,raw-kafka] [--rounds N] [--duration SECONDS] [--no-leak] [--profile]

  --quick         CI mode: 2 short rounds, under two minutes; fails only if a contender errors
  --only LIST     contenders to run (${CONTENDER_IDS.join(', ')})
  --rounds N      rounds (each runs every contender once, in rotated order)
  --duration S    seconds per throughput phase
  --no-leak       skip the vRPC memory check
  --profile       write .cpuprofile files of every child process to bench/profiles/`;

/** Reads the command line. */
export function parseBenchOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      'no-leak': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const mode = values.quick ? 'quick' : 'full';
  const options: BenchOptions = { mode, ...PRESETS[mode], contenders: [...CONTENDER_IDS], profile: values.profile };
  if (values.only) {
    const ids = values.only.split(',').map((id) => id.trim());
    const unknown = ids.filter((id) => !isContenderId(id));
    if (unknown.length > 0) throw new Error(`unknown contender(s) ${unknown.join(', ')}; known: ${CONTENDER_IDS.join(', ')}`);
    options.contenders = CONTENDER_IDS.filter((id) => ids.includes(id));
  }
  if (values.rounds) options.rounds = positive('--rounds', values.rounds);
  if (values.duration) options.durationMs = positive('--duration', values.duration) * 1000;
  if (values['no-leak']) options.leakFirst = options.leakTotal = 0;
  return options;
}

function positive(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`${flag} needs a positive number, got "${value}"`);
  return number;
}
