import type { ProcessUsage } from '../child/process-usage.js';
import type { StreamBenchOptions } from '../config/stream-options.js';
import type { StreamContenderId, StreamScenario } from '../contenders/streams/stream-registry.js';
import type { SlowConsumerLoad, StreamLoadResult } from '../load/stream-load.js';
import type { MachineInfo, Stat } from './results.js';

/** One phase of one contender, with what it cost the server. */
export interface StreamPhaseResult extends StreamLoadResult {
  serverCpuUs: number;
}

/** What one round measured for one contender: a phase per scenario it runs. */
export interface StreamRoundResult {
  round: number;
  /** Position of the contender in this round's order (rotated each round). */
  position: number;
  phases: StreamPhaseResult[];
}

/** A scenario's figures over rounds. */
export interface StreamScenarioSummary {
  messagesPerSecond: Stat;
  clientCpuUsPerMessage: Stat;
  serverCpuUsPerMessage: Stat;
}

/** The slow consumer of one long server stream, in a fresh pair of processes. */
export interface SlowConsumerResult extends SlowConsumerLoad {
  /** Messages the server's handler had produced when the consumer cancelled… */
  producedAtCancel: number;
  /** …and `settleMs` later: a handler still producing was not stopped by the cancel. */
  producedAfterSettle: number;
  settleMs: number;
  /** RSS of both processes before the stream began. */
  rssBefore: { client: number; server: number };
  /** Highest RSS of both processes by the end of the scenario. */
  peakRss: { client: number; server: number };
  /** Why the row counts as failed, if it does. */
  error?: string;
}

/** Everything measured for one streaming contender. */
export interface StreamContenderResult {
  id: StreamContenderId;
  label: string;
  ok: boolean;
  error?: string;
  startup?: { serverMs: number; clientMs: number };
  rounds: StreamRoundResult[];
  /** Scenarios it does not run, and why (shown in the table). */
  notRun: Partial<Record<StreamScenario, string>>;
  summary?: Partial<Record<StreamScenario, StreamScenarioSummary>>;
  slowConsumer?: SlowConsumerResult;
  final?: { server?: ProcessUsage; client?: ProcessUsage };
}

/** The content of bench/results/streams-<date>.json. */
export interface StreamBenchResults {
  schema: 1;
  kind: 'streams';
  startedAt: string;
  durationSeconds: number;
  command: string;
  runId: string;
  options: StreamBenchOptions;
  machine: MachineInfo;
  contenders: StreamContenderResult[];
}
