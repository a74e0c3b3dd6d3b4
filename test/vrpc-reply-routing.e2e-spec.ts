import { VrpcClient, type VrpcModuleOptions } from '@vrpc/nestjs';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EchoServiceClient } from './fixtures/echo.service.js';
import { isolatedOptions, startEchoApp, type EchoApp } from './support/echo-app.js';
import { withTestAdmin } from './support/kafka.js';

/** Messages per partition of a topic so far. */
async function partitionSizes(topic: string): Promise<Map<number, number>> {
  const offsets = await withTestAdmin((admin) => admin.fetchTopicOffsets(topic));
  return new Map(offsets.map((o) => [o.partition, Number(o.high) - Number(o.low)]));
}

/** The state the group coordinator reports for `group` ('Dead' once it is gone). */
async function groupState(group: string): Promise<string> {
  return (await withTestAdmin((admin) => admin.describeGroups([group]))).groups[0].state;
}

describe('vRPC over Kafka: reply routing', () => {
  let options: VrpcModuleOptions;
  let server: EchoApp;

  beforeAll(async () => {
    options = isolatedOptions();
    options.topics = { ...options.topics, replyPartitions: 2 };
    server = await startEchoApp(options);
  });

  afterAll(async () => {
    await server.app.close();
  });

  it('sends replies only to the partition of the calling instance', async () => {
    const client = new VrpcClient(options);
    await client.connect();
    const echo = client.getService<EchoServiceClient>('EchoService');
    const before = await partitionSizes(options.topics?.replies ?? '');
    await Promise.all(Array.from({ length: 20 }, (_, i) => firstValueFrom(echo.echo({ text: `r${i}` }))));
    const after = await partitionSizes(options.topics?.replies ?? '');
    const grown = [...after].filter(([partition, size]) => size > (before.get(partition) ?? 0));
    await client.close();
    expect(grown).toHaveLength(1);
    expect(grown[0][1] - (before.get(grown[0][0]) ?? 0)).toBe(20);
  });

  it('deletes its inbox group when it closes', async () => {
    const client = new VrpcClient(options);
    await client.connect();
    await firstValueFrom(client.getService<EchoServiceClient>('EchoService').echo({ text: 'once' }));
    const group = `vrpc.inbox.${client.instanceId}`;
    expect(await groupState(group)).toBe('Stable');
    await client.close();
    expect(await groupState(group)).toBe('Dead');
  });

  it('serves more client instances than reply partitions, each getting its own replies', async () => {
    const clients = Array.from({ length: 5 }, () => new VrpcClient(options));
    await Promise.all(clients.map((client) => client.connect()));
    const results = await Promise.all(
      clients.map((client, c) =>
        Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            firstValueFrom(client.getService<EchoServiceClient>('EchoService').echo({ text: `${c}:${i}` })),
          ),
        ),
      ),
    );
    await Promise.all(clients.map((client) => client.close()));
    results.forEach((replies, c) => {
      expect(replies.map((reply) => reply.text)).toEqual(Array.from({ length: 30 }, (_, i) => `${c}:${i}`));
    });
  });

  it('loses no reply while client instances join and leave under load', async () => {
    const steady = new VrpcClient(options);
    await steady.connect();
    const echo = steady.getService<EchoServiceClient>('EchoService');
    let churns = 0;
    const load = (async () => {
      const outcomes: string[] = [];
      for (let round = 0; round < 10; round++) {
        const replies = await Promise.all(
          Array.from({ length: 20 }, (_, i) => firstValueFrom(echo.echo({ text: `${round}.${i}`, delayMs: 20 }))),
        );
        outcomes.push(...replies.map((reply) => reply.text));
      }
      return outcomes;
    })();
    const churn = (async () => {
      for (let i = 0; i < 4; i++) {
        const passerby = new VrpcClient(options);
        await passerby.connect();
        await firstValueFrom(passerby.getService<EchoServiceClient>('EchoService').echo({ text: `passerby ${i}` }));
        await passerby.close();
        churns++;
      }
    })();
    const [outcomes] = await Promise.all([load, churn]);
    await steady.close();
    expect(churns).toBe(4);
    expect(outcomes).toHaveLength(200);
    expect(new Set(outcomes).size).toBe(200);
  });
});
