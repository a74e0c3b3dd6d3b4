import { status } from '@grpc/grpc-js';
import { Kafka, logLevel } from 'kafkajs';
import { decodeRequest } from '@vrpc/nestjs/protocol';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { testBrokers, waitFor } from '../support/kafka.js';
import { FaultScenario } from './fault-scenario.js';

describe('a request that crashes every server that takes it', () => {
  let scenario: FaultScenario | undefined;

  afterEach(async () => {
    await scenario?.close();
    scenario = undefined;
  });

  it('is dead-lettered after maxDeliveries, its caller told, and the partition goes on', async () => {
    scenario = new FaultScenario(testBrokers(), { requestPartitions: 1, maxDeliveries: 3 });
    const echo = await scenario.echo();
    const poisoned = firstValueFrom(echo.echo({ text: 'poison', crash: true }, undefined, { timeoutMs: 90_000 })).then(
      (): { code: number; details?: string } => ({ code: status.OK }),
      (error: unknown) => error as { code: number; details: string },
    );
    let settled = false;
    void poisoned.then(() => (settled = true));
    let crashes = 0;
    // A supervisor's job: start a server again whenever one dies (bounded).
    for (let attempt = 0; attempt < 6 && !settled; attempt++) {
      const [server] = await scenario.startServers(1);
      const ended = await Promise.race([server.exited.then(() => 'crashed'), poisoned.then(() => 'settled')]);
      if (ended === 'crashed') {
        crashes++;
        scenario.servers = scenario.servers.filter((s) => s !== server);
      }
    }
    const outcome = await poisoned;
    expect(crashes).toBe(3);
    expect(outcome.code).toBe(status.ABORTED);
    expect(await scenario.effects.runs('poison')).toBe(3);

    const after = await firstValueFrom(echo.echo({ text: 'after poison' }));
    expect(after.text).toBe('after poison');

    const kafka = new Kafka({ brokers: testBrokers(), logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `${scenario.scope}.dlq-check` });
    const dead: Record<string, string>[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [`${scenario.scope}.dead`], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        dead.push({ ...headers, method: decodeRequest(message.value ?? Buffer.alloc(0)).methodName });
        return Promise.resolve();
      },
    });
    await waitFor(() => dead.length === 1, 20_000);
    await consumer.disconnect();
    expect(dead[0]['vrpc-dead-reason']).toMatch(/poison: delivered 4 times/);
    // The request as it was sent: its envelope, and its id header.
    expect(dead[0].method).toBe('Echo');
    expect(dead[0]['vrpc-id']).toMatch(/^[A-Za-z0-9_-]{22}$/);
  }, 180_000);
});
