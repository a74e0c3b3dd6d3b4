// The full flow-control soak of issue 15 (opt-in, ~17 minutes): a RouteGuide.Ticks handler in a
// server process offers 1,000,000 small messages; this process reads them at 1 ms each and
// prints both processes' RSS every 5 s, then a summary. `npm run soak:stream -- [options]`:
//   --mode generator|observable   the handler: an async function* (pulled as the window opens,
//                                 default) or a lazy Observable (cannot be paused)
//   --reader async|sync           grpc-js through the interceptor awaiting 1 ms per message
//                                 (default), or VrpcClient with a synchronous 1 ms reader
//   --count N                     messages (default 1 000 000)
// Env: VRPC_KAFKA_BROKERS (default 127.0.0.1:19092). Topics and groups of its own, deleted at the end.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { type ClientReadableStream, credentials, status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { VrpcClient, type VrpcModuleOptions } from '@vrpc/nestjs';
import { createVrpcInterceptor } from '@vrpc/nestjs/interceptor';
import { Kafka, logLevel } from 'kafkajs';
import { loadRouteGuide, ROUTE_GUIDE_PROTO, ROUTE_GUIDE_SERVICE, type RouteGuideClient } from '../fixtures/route-guide.service.js';
import type { ProbeReply, Tick } from '../fixtures/route-guide.ticks.js';
import { freePort } from '../support/free-port.js';
import { startServerProcess } from '../support/server-process.js';
import { endOf, grpcUnary, MB } from '../support/stream-outcome.js';

Logger.overrideLogger(['error', 'warn']);
const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'generator' },
    reader: { type: 'string', default: 'async' },
    count: { type: 'string', default: '1000000' },
  },
});
const count = Number(values.count);
const mode = values.mode === 'observable' ? 'observable' : 'generator';
const brokers = (process.env.VRPC_KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const scope = `soak.${randomUUID().slice(0, 8)}`;
const streamTopics = { streams: `${scope}.streams`, streamPartitions: 4 };
const options: VrpcModuleOptions = {
  protos: ROUTE_GUIDE_PROTO,
  bus: { type: 'kafka', brokers },
  topics: {
    requestPrefix: `${scope}.req.`,
    replies: `${scope}.replies`,
    deadLetter: `${scope}.dead`,
    requestPartitions: 4,
    replyPartitions: 4,
    ...streamTopics,
  },
  client: { timeoutMs: 3_600_000 },
  server: { groupPrefix: `${scope}.` },
};

const grpcUrl = `127.0.0.1:${await freePort()}`;
const server = await startServerProcess(new URL('../processes/route-guide-server.ts', import.meta.url), {
  VRPC_TEST_OPTIONS: JSON.stringify({ ...options, protos: undefined }),
  VRPC_TEST_GRPC_URL: grpcUrl,
});
const RouteGuide = loadRouteGuide();
const direct = new RouteGuide(grpcUrl, credentials.createInsecure());
const vrpc = new VrpcClient(options);
await vrpc.connect();
const interceptor = createVrpcInterceptor({ client: vrpc, include: [ROUTE_GUIDE_SERVICE] });
const intercepted = new RouteGuide('127.0.0.1:1', credentials.createInsecure(), { interceptors: [interceptor] });
const tag = `${scope}.ticks`;
const request = { tag, count, intervalMs: 0, mode, size: 16 };

let taken = 0;
let outOfOrder = 0;
let maxAhead = 0;
const samples: Array<{ s: number; taken: number; produced: number; serverMb: number; clientMb: number }> = [];
const started = Date.now();
const probe = async (): Promise<ProbeReply> => (await grpcUnary<ProbeReply>(direct, 'probe', { tag })).messages[0];
const sampler = setInterval(() => {
  probe()
    .then(({ produced, rss }) => {
      maxAhead = Math.max(maxAhead, produced - taken);
      const sample = {
        s: Math.round((Date.now() - started) / 1000),
        taken,
        produced,
        serverMb: rss / MB,
        clientMb: process.memoryUsage().rss / MB,
      };
      samples.push(sample);
      process.stdout.write(`${JSON.stringify(sample)}\n`);
    })
    .catch((error: unknown) => process.stderr.write(`probe failed: ${String(error)}\n`));
}, 5_000);

let outcome = 'completed';
try {
  if (values.reader === 'sync') {
    await new Promise<void>((resolve) => {
      vrpc
        .getService<RouteGuideClient>('RouteGuide')
        .ticks(request)
        .subscribe({
          next: () => {
            taken += 1;
            const until = performance.now() + 1;
            while (performance.now() < until) {
              /* 1 ms of work */
            }
          },
          error: (error: unknown) => ((outcome = `${endOf(error).code} ${endOf(error).details}`), resolve()),
          complete: () => resolve(),
        });
    });
  } else {
    const call = (intercepted as unknown as { ticks(r: object): ClientReadableStream<Tick> }).ticks(request);
    try {
      for await (const tick of call as AsyncIterable<Tick>) {
        if (tick.index !== taken) outOfOrder += 1;
        taken += 1;
        await delay(1);
      }
    } catch (error: unknown) {
      outcome = endOf(error).code === Number(status.OK) ? 'completed' : `${endOf(error).code} ${endOf(error).details}`;
    }
  }
} finally {
  clearInterval(sampler);
  const steady = samples.filter((sample) => sample.s >= 10);
  const summary = {
    mode,
    reader: values.reader,
    count,
    taken,
    outOfOrder,
    outcome,
    seconds: Math.round((Date.now() - started) / 1000),
    maxServerMb: Math.max(...samples.map((s) => s.serverMb)),
    maxClientMb: Math.max(...samples.map((s) => s.clientMb)),
    serverGrowthAfter10sMb: steady.length ? Math.max(...steady.map((s) => s.serverMb)) - steady[0].serverMb : 0,
    clientGrowthAfter10sMb: steady.length ? Math.max(...steady.map((s) => s.clientMb)) - steady[0].clientMb : 0,
    maxProducedAhead: maxAhead,
  };
  process.stdout.write(`SUMMARY ${JSON.stringify(summary)}\n`);
  process.exitCode = outcome === 'completed' && taken === count ? 0 : 1;
  direct.close();
  intercepted.close();
  await vrpc.close();
  server.kill('SIGKILL');
  await server.exited;
  const admin = new Kafka({ clientId: 'vrpc-soak', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const topics = [`${scope}.req.${ROUTE_GUIDE_SERVICE}`, `${scope}.replies`, `${scope}.dead`, streamTopics.streams].filter((t) =>
    existing.has(t),
  );
  if (topics.length) await admin.deleteTopics({ topics });
  await admin
    .deleteGroups([`${scope}.${ROUTE_GUIDE_SERVICE}`])
    .catch((error: unknown) => process.stderr.write(`group cleanup: ${String(error)}\n`));
  await admin.disconnect();
}
