import { STREAM_SCENARIOS } from '../contenders/streams/stream-registry.js';
import type { StreamContenderResult, StreamPhaseResult, StreamScenarioSummary } from './stream-results.js';
import { stat } from './summarize.js';

const perMessage = (cpuUs: number, phase: StreamPhaseResult) => (phase.messages > 0 ? cpuUs / phase.messages : NaN);

/** A streaming contender's figures per scenario: medians and spread over rounds, of phases without errors. */
export function summarizeStreams(result: StreamContenderResult): StreamContenderResult['summary'] {
  const summary: Partial<Record<(typeof STREAM_SCENARIOS)[number], StreamScenarioSummary>> = {};
  for (const scenario of STREAM_SCENARIOS) {
    const phases = result.rounds.flatMap((round) => round.phases.filter((p) => p.scenario === scenario && p.errors === 0));
    if (phases.length === 0) continue;
    summary[scenario] = {
      messagesPerSecond: stat(phases.map((p) => p.messagesPerSecond)),
      clientCpuUsPerMessage: stat(phases.map((p) => perMessage(p.clientCpuUs, p))),
      serverCpuUsPerMessage: stat(phases.map((p) => perMessage(p.serverCpuUs, p))),
    };
  }
  return summary;
}
