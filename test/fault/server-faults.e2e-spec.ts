import { afterEach, describe, expect, it } from 'vitest';
import { testBrokers, waitFor } from '../support/kafka.js';
import { FaultScenario } from './fault-scenario.js';
import { GroupCommitWatch, messagesOn } from './group-commits.js';
import { steadyLoad } from './steady-load.js';

describe('faults of server processes under steady load', () => {
  let scenario: FaultScenario | undefined;

  afterEach(async () => {
    await scenario?.close();
    scenario = undefined;
  });

  it('answers every call when one of 3 servers is SIGKILLed mid-run', async () => {
    scenario = new FaultScenario(testBrokers());
    await scenario.startServers(3);
    const echo = await scenario.echo();
    const tag = 'sigkill';
    const load = steadyLoad(echo, { rate: 40, durationMs: 8_000, deadlineMs: 10_000, workMs: 30, tag });
    await waitFor(async () => (await scenario!.effects.runs(`${tag}-80`)) > 0, 15_000);
    await scenario.stopServer(scenario.servers[0], 'SIGKILL');
    const figures = await load;
    await scenario.report('SIGKILL 1 of 3 servers', tag, figures);
    scenario.expectNothingLost(figures);
  }, 120_000);

  it('loses no call during a rolling restart of all servers, and never moves a committed offset back', async () => {
    scenario = new FaultScenario(testBrokers());
    const original = await scenario.startServers(3);
    const echo = await scenario.echo();
    const watch = new GroupCommitWatch(testBrokers(), scenario.group, scenario.requestTopic);
    await watch.start();
    const tag = 'rolling';
    const load = steadyLoad(echo, { rate: 40, durationMs: 12_000, deadlineMs: 10_000, workMs: 30, tag });
    for (const server of original) {
      await scenario.startServers(1);
      await scenario.stopServer(server, 'SIGTERM');
    }
    const figures = await load;
    const backwards = await watch.stop();
    const reruns = await scenario.report('rolling restart of 3 servers', tag, figures);
    console.log(
      `[fault]   ${watch.commits} commits of the group read from __consumer_offsets, ${backwards.length} moved an offset backwards; re-runs ${reruns}`,
    );
    for (const move of backwards.slice(0, 5)) console.log(`[fault]   partition ${move.partition}: ${move.from} -> ${move.to}`);
    scenario.expectNothingLost(figures);
    expect(backwards).toEqual([]);
  }, 180_000);

  it('answers every call of an idle service rolled three times, and sets nothing aside', async () => {
    // maxDeliveries 2: a partition taken over twice without traffic must not make its first request look like poison.
    scenario = new FaultScenario(testBrokers(), { maxDeliveries: 2 });
    let servers = await scenario.startServers(2);
    for (let roll = 0; roll < 3; roll++) {
      const [fresh] = await scenario.startServers(1);
      await scenario.stopServer(servers[0], 'SIGTERM');
      servers = [...servers.slice(1), fresh];
    }
    const echo = await scenario.echo();
    const tag = 'idle-rolled';
    const figures = await steadyLoad(echo, { rate: 40, durationMs: 5_000, deadlineMs: 10_000, workMs: 5, tag });
    await scenario.report('idle service rolled 3 times, then traffic', tag, figures);
    scenario.expectNothingLost(figures);
    expect(await messagesOn(testBrokers(), scenario.deadLetterTopic)).toBe(0);
  }, 180_000);
});
