import { afterEach, describe, it } from 'vitest';
import { testBrokers, waitFor } from '../support/kafka.js';
import { FaultScenario } from './fault-scenario.js';
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

  it('loses no call during a rolling restart of all servers', async () => {
    scenario = new FaultScenario(testBrokers());
    const original = await scenario.startServers(3);
    const echo = await scenario.echo();
    const tag = 'rolling';
    const load = steadyLoad(echo, { rate: 40, durationMs: 12_000, deadlineMs: 10_000, workMs: 30, tag });
    for (const server of original) {
      await scenario.startServers(1);
      await scenario.stopServer(server, 'SIGTERM');
    }
    const figures = await load;
    await scenario.report('rolling restart of 3 servers', tag, figures);
    scenario.expectNothingLost(figures);
  }, 180_000);
});
