import { type INestMicroservice } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { HealthCheckService } from '@nestjs/terminus';
import { VrpcModule, VrpcServer } from '@vrpc/nestjs';
import { VrpcHealthIndicator, VrpcHealthModule } from '@vrpc/nestjs/terminus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafka, stopKafka } from '../../scripts/kafka/index.mjs';
import { EchoController } from '../fixtures/echo.controller.js';
import { ECHO_PROTO } from '../fixtures/echo.service.js';
import { figure } from '../support/figure.js';
import { uniqueName } from '../support/kafka.js';
import { waitFor } from '../support/wait-for.js';

// The 3-node cluster of the `cluster` project (never the shared single broker): the test stops all of it.
const CLUSTER = { nodes: 3, log: () => undefined };
const DOWN_WITHIN_MS = 10_000;
const UP_WITHIN_MS = 60_000;

// Stopping brokers needs a cluster this project started; an external one (VRPC_KAFKA_BROKERS) is left alone.
describe.skipIf(Boolean(process.env.VRPC_KAFKA_BROKERS))('the terminus indicator through a broker outage', () => {
  let startedHere = false;
  let app: INestMicroservice | undefined;
  let check: () => Promise<'up' | 'down'>;

  beforeAll(async () => {
    const cluster = await startKafka(CLUSTER);
    startedHere = cluster.started;
    const scope = uniqueName('outage');
    const moduleRef = await Test.createTestingModule({
      imports: [
        VrpcModule.forRoot({
          protos: ECHO_PROTO,
          bus: { type: 'kafka', brokers: cluster.brokers, sessionTimeoutMs: 6_000 },
          topics: { requestPrefix: `${scope}.req.`, replies: `${scope}.replies`, replicationFactor: 3 },
          server: { groupPrefix: `${scope}.` },
        }),
        VrpcHealthModule,
      ],
      controllers: [EchoController],
    }).compile();
    const server = moduleRef.get(VrpcServer);
    app = moduleRef.createNestMicroservice({ strategy: server, logger: false });
    await app.listen();
    const indicator = moduleRef.get(VrpcHealthIndicator).watch(server);
    const health = moduleRef.get(HealthCheckService);
    // Terminus throws (503) when an indicator is down.
    check = () =>
      health.check([() => indicator.isHealthy('vrpc', { timeoutMs: 2_000 })]).then(
        (result) => (result.status === 'ok' ? 'up' : 'down'),
        () => 'down' as const,
      );
  }, 180_000);

  afterAll(async () => {
    await startKafka(CLUSTER); // a failed run must not leave the cluster down for the next spec
    await app?.close();
    if (startedHere) await stopKafka(CLUSTER);
  }, 180_000);

  it('reports down within seconds of the stop and up again after the restart', async () => {
    await waitFor(async () => (await check()) === 'up', 30_000);

    const stopping = performance.now();
    await stopKafka(CLUSTER); // resolves once the three brokers' processes have exited
    const stopped = performance.now();
    figure(Math.round(stopped - stopping), 'stopping the whole cluster took');
    await waitFor(async () => (await check()) === 'down', DOWN_WITHIN_MS);
    const down = figure(Math.round(performance.now() - stopped), 'down after the whole cluster had stopped');
    expect(down).toBeLessThan(DOWN_WITHIN_MS);

    const restarting = performance.now();
    await startKafka(CLUSTER);
    const answering = performance.now();
    figure(Math.round(answering - restarting), 'the cluster answered again after its restart');
    await waitFor(async () => (await check()) === 'up', UP_WITHIN_MS);
    const up = figure(Math.round(performance.now() - answering), 'up after the restarted cluster answered');
    expect(up).toBeLessThan(UP_WITHIN_MS);
  }, 300_000);
});
