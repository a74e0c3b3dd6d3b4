import { setTimeout as outage } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKafka, stopKafka } from '../../scripts/kafka/index.mjs';
import { waitFor } from '../support/wait-for.js';
import { FaultScenario } from './fault-scenario.js';
import { recoveryAfter, steadyLoad } from './steady-load.js';

const CLUSTER = { nodes: 3, log: () => undefined };

// Stopping brokers needs a cluster this project started; an external one (VRPC_KAFKA_BROKERS) is left alone.
describe.skipIf(Boolean(process.env.VRPC_KAFKA_BROKERS))('broker faults on a 3-node cluster (replication factor 3)', () => {
  let brokers: string[] = [];
  let startedHere = false;
  let scenario: FaultScenario | undefined;

  beforeAll(async () => {
    const cluster = await startKafka(CLUSTER);
    brokers = cluster.brokers;
    startedHere = cluster.started;
  }, 180_000);

  afterEach(async () => {
    await scenario?.close();
    scenario = undefined;
    await startKafka(CLUSTER);
  }, 180_000);

  afterAll(async () => {
    if (startedHere) await stopKafka(CLUSTER);
  }, 60_000);

  // First, while the cluster has only just started: each round creates new topics (RF 3), so
  // three servers race to create them and then wait for their leaders to be elected.
  it('starts three servers at once, with new topics, 10 times in a row', async () => {
    const failures: string[] = [];
    for (let round = 0; round < 10; round++) {
      const fresh = new FaultScenario(brokers, { replicationFactor: 3 });
      try {
        await fresh.startServers(3);
        if (fresh.unexpectedExits().length > 0) failures.push(`round ${round}: a server exited`);
      } catch (error: unknown) {
        failures.push(`round ${round}: ${String(error).slice(0, 500)}`);
      } finally {
        await fresh.close();
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('fails no call when one broker stops mid-run', async () => {
    scenario = new FaultScenario(brokers, { replicationFactor: 3 });
    await scenario.startServers(3);
    const echo = await scenario.echo();
    const tag = 'one-broker';
    const load = steadyLoad(echo, { rate: 30, durationMs: 12_000, deadlineMs: 10_000, workMs: 20, tag });
    await waitFor(async () => (await scenario!.effects.runs(`${tag}-60`)) > 0, 20_000);
    await stopKafka({ ...CLUSTER, node: 2 });
    const figures = await load;
    await scenario.report('1 of 3 brokers stopped', tag, figures);
    scenario.expectNothingLost(figures);
  }, 180_000);

  it('answers calls whose deadline outlasts a stop of the whole cluster', async () => {
    // Riding out an outage longer than the default 5 s of reply retries is the operator's choice:
    // the servers here retry a reply for up to 2 minutes (always within the call's deadline).
    scenario = new FaultScenario(brokers, { replicationFactor: 3, publishRetryMs: 120_000 });
    await scenario.startServers(2);
    const echo = await scenario.echo();
    const tag = 'all-brokers';
    const load = steadyLoad(echo, { rate: 20, durationMs: 10_000, deadlineMs: 90_000, workMs: 20, tag });
    await waitFor(async () => (await scenario!.effects.runs(`${tag}-40`)) > 0, 20_000);
    const down = performance.now();
    await stopKafka(CLUSTER);
    const stopped = performance.now();
    await outage(5_000); // the fault itself: the cluster stays down this long
    const starting = performance.now();
    await startKafka(CLUSTER);
    const back = performance.now();
    const s = (ms: number) => (ms / 1000).toFixed(1);
    console.log(
      `[fault] cluster unavailable for ${s(back - down)} s (stopping ${s(stopped - down)} s + 5 s + starting ${s(back - starting)} s)`,
    );
    const figures = await load;
    const recovery = recoveryAfter(figures, back);
    console.log(
      `[fault] after the cluster was back: first answer in ${recovery.firstS.toFixed(1)} s, last in ${recovery.lastS.toFixed(1)} s`,
    );
    await scenario.report('whole cluster stopped', tag, figures);
    scenario.expectNothingLost(figures);
    // No log storm: repeated broker errors are folded into one line per 10 s (about 30 lines here).
    expect(scenario.mostLogLines()).toBeLessThan(200);
  }, 300_000);
});
