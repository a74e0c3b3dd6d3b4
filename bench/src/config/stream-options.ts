import { parseArgs } from 'node:util';
import { isStreamContenderId, STREAM_CONTENDER_IDS, type StreamContenderId } from '../contenders/streams/stream-registry.js';

/** How much a run of the streaming bench measures. */
export interface StreamBenchOptions {
  mode: 'quick' | 'full';
  contenders: StreamContenderId[];
  rounds: number;
  /** Bytes of each message's payload. */
  size: number;
  /** Server stream: messages of the one stream (and, split, of the concurrent streams). */
  serverStreamCount: number;
  /** Streams at once in the concurrent server-stream phase. */
  concurrentStreams: number;
  /** Bidi echo: messages sent, and how many may be unanswered at once. */
  echoCount: number;
  echoInFlight: number;
  /** Before the first round, per contender: a short stream and echo (JIT, connections, fetch sessions). */
  warmupCount: number;
  /** Slow consumer: the stream's length, how long it is read, how long each message takes. */
  slowCount: number;
  slowHoldMs: number;
  slowPerMessageMs: number;
}

const PRESETS: Record<StreamBenchOptions['mode'], Omit<StreamBenchOptions, 'mode' | 'contenders'>> = {
  // CI: under two minutes with every contender exercised; numbers are indicative only.
  quick: {
    rounds: 2,
    size: 64,
    serverStreamCount: 10_000,
    concurrentStreams: 8,
    echoCount: 5_000,
    echoInFlight: 1_000,
    warmupCount: 2_000,
    slowCount: 20_000,
    slowHoldMs: 5_000,
    slowPerMessageMs: 1,
  },
  // The published numbers.
  full: {
    rounds: 3,
    size: 64,
    serverStreamCount: 100_000,
    concurrentStreams: 8,
    echoCount: 50_000,
    echoInFlight: 1_000,
    warmupCount: 10_000,
    slowCount: 200_000,
    slowHoldMs: 15_000,
    slowPerMessageMs: 1,
  },
};

export const STREAM_USAGE = `usage: npm run bench:streams -- [--quick] [--only vrpc,grpc] [--rounds N] [--no-slow]
   (or: npm run bench -- --streams …)

  --quick         CI mode: 2 short rounds, under two minutes; fails only if a contender errors
  --only LIST     contenders to run (${STREAM_CONTENDER_IDS.join(', ')})
  --rounds N      rounds (each runs every contender once per scenario, in rotated order)
  --no-slow       skip the slow-consumer memory scenario`;

/** Reads the command line of the streaming bench. */
export function parseStreamOptions(argv: string[]): StreamBenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      streams: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      rounds: { type: 'string' },
      'no-slow': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const mode = values.quick ? 'quick' : 'full';
  const options: StreamBenchOptions = { mode, ...PRESETS[mode], contenders: [...STREAM_CONTENDER_IDS] };
  if (values.only) {
    const ids = values.only.split(',').map((id) => id.trim());
    const unknown = ids.filter((id) => !isStreamContenderId(id));
    if (unknown.length > 0) throw new Error(`unknown contender(s) ${unknown.join(', ')}; known: ${STREAM_CONTENDER_IDS.join(', ')}`);
    options.contenders = STREAM_CONTENDER_IDS.filter((id) => ids.includes(id));
  }
  if (values.rounds) {
    const rounds = Number(values.rounds);
    if (!Number.isInteger(rounds) || rounds <= 0) throw new Error(`--rounds needs a positive whole number, got "${values.rounds}"`);
    options.rounds = rounds;
  }
  if (values['no-slow']) options.slowCount = 0;
  return options;
}
