import { STREAM_SCENARIOS, type StreamScenario } from '../contenders/streams/stream-registry.js';
import { count, mib, spread } from './format.js';
import type { StreamBenchResults, StreamContenderResult } from './stream-results.js';

const cpu = (v: number) => v.toFixed(1);
/** A label as markdown text (`async function*` must not open an emphasis). */
const md = (label: string) => label.replace(/\*/g, '\\*');
const HEADINGS: Record<StreamScenario, string> = {
  'server-stream': 'server stream, 1 stream',
  'server-stream-concurrent': 'server stream, concurrent streams',
  'bidi-echo': 'bidi echo',
};

/** One scenario's cells for one contender: messages/s, client and server CPU µs per message. */
function cells(c: StreamContenderResult, scenario: StreamScenario): string[] {
  const notRun = c.notRun[scenario];
  if (notRun) return [notRun, '', ''];
  const s = c.summary?.[scenario];
  if (!s) return [c.ok ? 'not measured' : '**FAILED**', '', ''];
  return [spread(s.messagesPerSecond, count), spread(s.clientCpuUsPerMessage, cpu), spread(s.serverCpuUsPerMessage, cpu)];
}

function ended(c: StreamContenderResult): string {
  const slow = c.slowConsumer;
  if (!slow) return '';
  if (slow.error) return `**FAILED**: ${slow.error.split('\n')[0]}`;
  if (slow.endedEarly === 'completed') return 'the stream ended before the cancel';
  if (slow.endedEarly) return `the server ended it: ${slow.endedEarly.message.split('\n')[0]}`;
  return 'cancelled by the consumer';
}

/** The streaming bench's tables (bench/results/streams-latest.md). */
export function streamMarkdownReport(results: StreamBenchResults): string {
  const { options, machine } = results;
  const lines = [
    `# vRPC streaming benchmark — ${results.startedAt.slice(0, 10)} (${options.mode} mode)`,
    '',
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB · ${machine.os} · Node ${machine.node} · ${machine.kafka}.`,
    `Load average ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')} at start, ${machine.loadAverageAtEnd.map((l) => l.toFixed(2)).join(' ')} at end.`,
    `\`${results.command}\` · ${results.durationSeconds.toFixed(0)} s · run ${results.runId}`,
    '',
    `## Throughput (messages of ${options.size} bytes)`,
    '',
    `Medians over ${options.rounds} rounds (min–max). Server stream: ${count(options.serverStreamCount)} messages in one stream, then ` +
      `split over ${options.concurrentStreams} concurrent streams; bidi echo: ${count(options.echoCount)} messages, at most ` +
      `${count(options.echoInFlight)} unanswered. Messages/s from the call to the last message; CPU µs per message of the ` +
      'client and server processes. Every message is checked (order, size).',
    '',
    `| contender | ${STREAM_SCENARIOS.map((s) => `${HEADINGS[s]}: msg/s | client µs/msg | server µs/msg`).join(' | ')} |`,
    `| --- | ${STREAM_SCENARIOS.map(() => '---: | ---: | ---:').join(' | ')} |`,
    ...results.contenders.map((c) => `| ${md(c.label)} | ${STREAM_SCENARIOS.flatMap((s) => cells(c, s)).join(' | ')} |`),
  ];
  if (options.slowCount > 0) {
    lines.push(
      '',
      '## Memory of a slow consumer',
      '',
      `One stream of ${count(options.slowCount)} messages, read at ${options.slowPerMessageMs} ms per message for ` +
        `${options.slowHoldMs / 1000} s, then cancelled; fresh processes per contender. "Produced": messages the ` +
        'server\'s handler had emitted at the cancel (and 1 s later); the gap to "taken" is buffered somewhere ' +
        "(server, broker, client). Peak RSS: the processes' highest, start RSS in brackets.",
      '',
      '| contender | produced at cancel | 1 s later | taken | gap | peak RSS client, MiB | peak RSS server, MiB | end |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...results.contenders.map((c) => {
        const s = c.slowConsumer;
        if (!s) return `| ${md(c.label)} | – | – | – | – | – | – | not run |`;
        // A failed row shows no figures: a missing contender must not read as a lean one.
        if (s.error) return `| ${md(c.label)} | – | – | – | – | – | – | ${ended(c)} |`;
        return (
          `| ${md(c.label)} | ${count(s.producedAtCancel)} | ${count(s.producedAfterSettle)} | ${count(s.taken)} | ` +
          `${count(s.producedAtCancel - s.taken)} | ${mib(s.peakRss.client)} (${mib(s.rssBefore.client)}) | ` +
          `${mib(s.peakRss.server)} (${mib(s.rssBefore.server)}) | ${ended(c)} |`
        );
      }),
    );
  }
  const failed = results.contenders.filter((c) => !c.ok);
  if (failed.length > 0) {
    lines.push('', '## Failed', '', ...failed.map((c) => `- **${md(c.label)}**: ${(c.error ?? '').split('\n')[0]}`));
  }
  lines.push('');
  return lines.join('\n');
}
