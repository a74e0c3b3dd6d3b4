import { CONTENDER_LABELS, type ContenderId } from '../contenders/registry.js';
import type { ContenderResult, LeakResult, RoundResult, Stat, TargetCheck } from './results.js';
import { stat } from './summarize.js';

const fmt = (value: number, digits = 2) => value.toFixed(digits);

/**
 * `pick(a) / pick(b)` in each round both finished, median and range over rounds. Comparing
 * within a round, where both ran minutes apart at most, keeps drifting machine load out of it.
 */
function roundRatios(a: ContenderResult, b: ContenderResult, pick: (round: RoundResult) => number | undefined) {
  const ratios = a.rounds.flatMap((round) => {
    const other = b.rounds.find((r) => r.round === round.round);
    const x = pick(round);
    const y = other && pick(other);
    return x !== undefined && y !== undefined && y > 0 ? [x / y] : [];
  });
  return stat(ratios);
}

const at = (concurrency: number) => (round: RoundResult) => round.throughput.find((p) => p.concurrency === concurrency)?.throughput;
const p50 = (round: RoundResult) => round.latency.latency.p50;

/** Growth from the second snapshot on: what is left once the processes have warmed up. */
function plateau(leak: LeakResult): string {
  const second = leak.series[1];
  const last = leak.series[leak.series.length - 1];
  if (!second || second === last) return '';
  const growth = (from: number, to: number) => `${fmt((to / from - 1) * 100, 1)} %`;
  return (
    `; from ${second.calls.toLocaleString('en')} calls on: client ${growth(second.client.rssBytes, last.client.rssBytes)}, ` +
    `server ${growth(second.server.rssBytes, last.server.rssBytes)}; heap used after GC ` +
    `${fmt(leak.afterFirst.client.heapUsedBytes / 2 ** 20, 0)} → ${fmt(last.client.heapUsedBytes / 2 ** 20, 0)} MiB (client), ` +
    `${fmt(leak.afterFirst.server.heapUsedBytes / 2 ** 20, 0)} → ${fmt(last.server.heapUsedBytes / 2 ** 20, 0)} MiB (server)`
  );
}

/** The vRPC rows on a Kafka bus, one per bus. */
const KAFKA_BUS_ROWS: ContenderId[] = ['vrpc', 'vrpc-platformatic'];

/**
 * Of the vRPC rows on a Kafka bus, the one with the highest median of per-round throughput
 * ratios at 64 in flight to `floor`, with those ratios: the bus is chosen once for the whole
 * run, not the faster of the two in each round (which would favour noise).
 */
function fastestKafkaBus(rows: (ContenderResult | undefined)[], floor: ContenderResult | undefined) {
  if (!floor) return undefined;
  const measured = rows.flatMap((row) => {
    const ratios = row ? roundRatios(row, floor, at(64)) : undefined;
    return row && ratios && ratios.n > 0 ? [{ label: CONTENDER_LABELS[row.id], ratios }] : [];
  });
  return measured.reduce<(typeof measured)[number] | undefined>(
    (best, row) => (best && best.ratios.median >= row.ratios.median ? best : row),
    undefined,
  );
}

/**
 * Comparisons that explain the targets rather than set them: how vRPC fares against a
 * hand-written loop that carries its wire format, what that format costs the floor, what the
 * other Kafka client's floor and bus give, and the other buses beside the kafkajs one.
 */
export function explainGap(contenders: ContenderResult[]): TargetCheck[] {
  const find = (id: ContenderId) => contenders.find((c) => c.id === id && c.ok && c.rounds.length > 0);
  const vrpc = find('vrpc');
  const signed = find('vrpc-signed');
  const wire = find('raw-kafka-vrpc-wire');
  const raw = find('raw-kafka');
  const rawOtel = find('raw-kafka-otel');
  const platformatic = find('vrpc-platformatic');
  const rawPlatformatic = find('raw-platformatic');
  const lines: TargetCheck[] = [];
  const add = (
    target: string,
    a: ContenderResult | undefined,
    b: ContenderResult | undefined,
    pick: (round: RoundResult) => number | undefined,
  ) => {
    const r = a && b ? roundRatios(a, b, pick) : undefined;
    if (r && r.n > 0)
      lines.push({
        target,
        holds: null,
        detail: `${fmt(r.median * 100, 0)} %${r.n > 1 ? ` (rounds: ${fmt(r.min * 100, 0)} %–${fmt(r.max * 100, 0)} %)` : ''}`,
      });
  };
  add("vRPC throughput at 64 in flight, relative to raw kafkajs carrying vRPC's wire format", vrpc, wire, at(64));
  add("raw kafkajs with vRPC's wire format, relative to the minimal floor, at 64 in flight", wire, raw, at(64));
  add("vRPC p50 at 1 in flight, relative to raw kafkajs carrying vRPC's wire format", vrpc, wire, p50);
  add('raw @platformatic/kafka floor, throughput at 64 in flight relative to the raw kafkajs floor', rawPlatformatic, raw, at(64));
  add('raw @platformatic/kafka floor, p50 at 1 in flight relative to the raw kafkajs floor', rawPlatformatic, raw, p50);
  add(
    'vRPC over @platformatic/kafka, throughput at 64 in flight relative to the raw @platformatic/kafka floor',
    platformatic,
    rawPlatformatic,
    at(64),
  );
  add('vRPC over @platformatic/kafka, throughput at 64 in flight relative to vRPC over kafkajs', platformatic, vrpc, at(64));
  add('vRPC over NATS JetStream, throughput at 64 in flight relative to vRPC over kafkajs', find('vrpc-nats'), vrpc, at(64));
  add('vRPC over RabbitMQ, throughput at 64 in flight relative to vRPC over kafkajs', find('vrpc-rabbitmq'), vrpc, at(64));
  add('vRPC with signed envelopes, throughput at 64 in flight relative to unsigned', signed, vrpc, at(64));
  add('vRPC with signed envelopes, p50 at 1 in flight relative to unsigned', signed, vrpc, p50);
  add(
    'raw kafkajs with the same OpenTelemetry SDK and spans and metrics, throughput at 64 in flight relative to without',
    rawOtel,
    raw,
    at(64),
  );
  return lines;
}

/** Checks the targets of issue 4 (and issue 17's Kafka-bus ones) against one run. */
export function checkTargets(contenders: ContenderResult[], leak: LeakResult | undefined): TargetCheck[] {
  const find = (id: ContenderId) => contenders.find((c) => c.id === id && c.ok && c.rounds.length > 0);
  const vrpc = find('vrpc');
  const nest = find('nest-kafka');
  const raw = find('raw-kafka');
  const otel = find('vrpc-otel');
  const checks: TargetCheck[] = [];

  const check = (target: string, r: Stat | undefined, holds: (r: number) => boolean, unit: (r: number) => string, of = '') => {
    if (!r || r.n === 0) {
      checks.push({ target, holds: null, detail: 'not measured in this run' });
      return;
    }
    const range = r.n > 1 ? ` (rounds: ${unit(r.min)}–${unit(r.max)})` : '';
    checks.push({ target, holds: holds(r.median), detail: `${unit(r.median)}${range}, median of per-round ratios${of}` });
  };
  const ratio = (
    target: string,
    a: ContenderResult | undefined,
    b: ContenderResult | undefined,
    pick: (round: RoundResult) => number | undefined,
    holds: (r: number) => boolean,
    unit: (r: number) => string,
  ) => check(target, a && b ? roundRatios(a, b, pick) : undefined, holds, unit);

  ratio(
    'vRPC throughput at 64 in flight ≥ 3× Nest ClientKafka',
    vrpc,
    nest,
    at(64),
    (r) => r >= 3,
    (r) => `${fmt(r, 1)}×`,
  );
  ratio(
    'vRPC throughput at 64 in flight ≥ 60 % of the raw floor',
    vrpc,
    raw,
    at(64),
    (r) => r >= 0.6,
    (r) => `${fmt(r * 100, 0)} %`,
  );
  ratio(
    'vRPC throughput at 64 in flight ≥ 80 % of the raw kafkajs floor on the kafkajs bus',
    vrpc,
    raw,
    at(64),
    (r) => r >= 0.8,
    (r) => `${fmt(r * 100, 0)} %`,
  );
  const fastest = fastestKafkaBus(KAFKA_BUS_ROWS.map(find), raw);
  check(
    'vRPC on its fastest Kafka bus at 64 in flight ≥ the raw kafkajs floor',
    fastest?.ratios,
    (r) => r >= 1,
    (r) => `${fmt(r * 100, 0)} %`,
    fastest ? ` (${fastest.label})` : '',
  );
  ratio(
    'vRPC p50 at 1 in flight ≤ 1.2× the raw floor',
    vrpc,
    raw,
    p50,
    (r) => r <= 1.2,
    (r) => `${fmt(r)}×`,
  );

  ratio(
    'vRPC with the OpenTelemetry SDK (traces and metrics on), throughput at 64 in flight ≥ 90 % of without',
    otel,
    vrpc,
    at(64),
    (r) => r >= 0.9,
    (r) => `${fmt(r * 100, 0)} %`,
  );

  const target = 'vRPC RSS after the total calls within 10 % of RSS after the first';
  if (!leak || leak.error || leak.series.length === 0) {
    checks.push({ target, holds: null, detail: leak?.error?.split('\n')[0] ?? 'not measured in this run' });
  } else {
    const mib = (bytes: number) => fmt(bytes / 2 ** 20, 0);
    checks.push({
      target,
      holds: leak.clientRssGrowth <= 0.1 && leak.serverRssGrowth <= 0.1,
      detail:
        `client ${mib(leak.afterFirst.client.rssBytes)} → ${mib(leak.afterTotal.client.rssBytes)} MiB (${fmt(leak.clientRssGrowth * 100, 1)} %), ` +
        `server ${mib(leak.afterFirst.server.rssBytes)} → ${mib(leak.afterTotal.server.rssBytes)} MiB (${fmt(leak.serverRssGrowth * 100, 1)} %) ` +
        `after ${leak.firstCalls.toLocaleString('en')} → ${leak.totalCalls.toLocaleString('en')} calls${plateau(leak)}`,
    });
  }
  return checks;
}
