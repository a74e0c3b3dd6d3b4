import type { ProcessUsage } from '../child/process-usage.js';
import type { BenchOptions } from '../config/bench-options.js';
import type { ContenderId } from '../contenders/registry.js';
import type { PhaseResult } from '../orchestrator/contender-processes.js';

/** A value measured once per round: its median and spread. */
export interface Stat {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** What one round measured for one contender. */
export interface RoundResult {
  round: number;
  /** Position of the contender in this round's order (rotated each round). */
  position: number;
  latency: PhaseResult;
  throughput: PhaseResult[];
}

/** A contender's figures over all rounds. */
export interface ContenderSummary {
  latency: { p50: Stat; p90: Stat; p99: Stat; mean: Stat; /** The worst over all rounds. */ max: number };
  throughput: Record<string, { callsPerSecond: Stat; p50: Stat; p99: Stat; clientCpuUsPerCall: Stat; serverCpuUsPerCall: Stat }>;
  peakRssBytes: { client?: number; server?: number };
  cpuSeconds: { client?: number; server?: number };
}

/** Everything measured for one contender. */
export interface ContenderResult {
  id: ContenderId;
  label: string;
  ok: boolean;
  error?: string;
  startup?: { serverMs: number; clientMs: number };
  rounds: RoundResult[];
  final?: { server?: ProcessUsage; client?: ProcessUsage };
  summary?: ContenderSummary;
}

/** Both processes of a contender at one moment. */
export interface PairUsage {
  server: ProcessUsage;
  client: ProcessUsage;
}

/** vRPC's memory check: the same fresh pair of processes after a few and after many calls. */
export interface LeakResult {
  firstCalls: number;
  totalCalls: number;
  errors: number;
  afterFirst: PairUsage;
  afterTotal: PairUsage;
  /** Snapshots along the way (the first and the last are `afterFirst` and `afterTotal`). */
  series: ({ calls: number } & PairUsage)[];
  /** RSS after the total over RSS after the first calls, minus one (0.05 = 5 % growth). */
  clientRssGrowth: number;
  serverRssGrowth: number;
  error?: string;
}

/** One target of issue 4 and whether this run meets it. */
export interface TargetCheck {
  target: string;
  /** null when the run did not measure what the target needs. */
  holds: boolean | null;
  detail: string;
}

/** The machine, so figures can be compared with care. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  kafka: string;
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[];
}

/** The content of bench/results/<date>.json. */
export interface BenchResults {
  schema: 1;
  startedAt: string;
  durationSeconds: number;
  command: string;
  runId: string;
  options: BenchOptions;
  machine: MachineInfo;
  contenders: ContenderResult[];
  leak?: LeakResult;
  targets: TargetCheck[];
  /** Comparisons that explain the targets (not targets themselves). */
  explanations: TargetCheck[];
}
