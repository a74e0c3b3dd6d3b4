import { RedisTaskStore, taskStoreKey, VrpcClient, type VrpcModuleOptions, type VrpcServerOptions } from '@vrpc/nestjs';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS_PROTO, type JobReply, type JobServiceClient } from './fixtures/jobs.service.js';
import { SideEffects } from './fixtures/side-effects.js';
import { testBrokers, uniqueName, waitFor } from './support/kafka.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';

const SERVER = new URL('./processes/job-server.ts', import.meta.url);

/** Options shared by the server processes and the clients of one scenario; `server` overrides merge. */
function scenario(server: VrpcServerOptions = {}) {
  const scope = uniqueName('task');
  const options: Omit<VrpcModuleOptions, 'protos'> = {
    bus: { type: 'kafka', brokers: testBrokers(), sessionTimeoutMs: 6_000 },
    topics: { requestPrefix: `${scope}.req.`, replies: `${scope}.replies`, deadLetter: `${scope}.dead`, requestPartitions: 6 },
    client: { timeoutMs: 30_000 },
    server: {
      groupPrefix: `${scope}.`,
      tasks: { store: 'redis', redis: { keyPrefix: `${scope}:` }, leaseMs: 8_000, ttlMs: 60_000 },
      ...server,
    },
  };
  return { scope, options, effects: new SideEffects(`${scope}:effects`) };
}

function startServers(count: number, options: Omit<VrpcModuleOptions, 'protos'>, effectsPrefix: string) {
  const env = { VRPC_TEST_OPTIONS: JSON.stringify(options), VRPC_TEST_EFFECTS: effectsPrefix };
  return Promise.all(Array.from({ length: count }, () => startServerProcess(SERVER, env)));
}

async function stopServers(servers: ServerProcess[]) {
  for (const server of servers) server.kill('SIGTERM');
  await Promise.all(servers.map((server) => server.exited));
}

describe('task-level singletons across server processes (Kafka + Redis)', () => {
  const clients: VrpcClient[] = [];
  const newClient = async (options: Omit<VrpcModuleOptions, 'protos'>) => {
    const client = new VrpcClient({ ...options, protos: JOBS_PROTO });
    clients.push(client);
    await client.connect();
    return client.getService<JobServiceClient>('JobService');
  };

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
  });

  describe('one key submitted 250 times by 5 clients to 3 servers', () => {
    const { scope, options, effects } = scenario();
    let servers: ServerProcess[] = [];

    beforeAll(async () => {
      servers = await startServers(3, options, `${scope}:effects`);
    });

    afterAll(async () => {
      await stopServers(servers);
      await effects.close();
    });

    it('runs the handler once and gives every caller the same result', async () => {
      const callers = await Promise.all(Array.from({ length: 5 }, () => newClient(options)));
      const replies = await Promise.all(
        callers.flatMap((jobs) => Array.from({ length: 50 }, () => firstValueFrom(jobs.run({ jobId: 'nightly-report', workMs: 300 })))),
      );
      expect(replies).toHaveLength(250);
      expect(new Set(replies.map((reply) => JSON.stringify(reply))).size).toBe(1);
      expect(replies[0].result).toBe('done:nightly-report');
      expect(await effects.runs('nightly-report')).toBe(1);
    });

    it('runs different keys in parallel across the instances', async () => {
      const jobs = await newClient(options);
      const replies = await Promise.all(
        Array.from({ length: 24 }, (_, i) => firstValueFrom(jobs.run({ jobId: `parallel-${i}`, workMs: 200 }))),
      );
      const servedBy = new Set(replies.map((reply) => reply.servedBy));
      expect(servedBy.size).toBeGreaterThan(1);
      for (let i = 0; i < 24; i++) expect(await effects.runs(`parallel-${i}`)).toBe(1);
    });
  });

  describe('throughput over distinct keys', () => {
    const { scope, options, effects } = scenario({ concurrency: 2 });
    let servers: ServerProcess[] = [];

    afterAll(async () => {
      await stopServers(servers);
      await effects.close();
    });

    /** Runs 12 distinct 300 ms jobs (after a warm-up round): jobs per second and the instances that served them. */
    async function measure(jobs: JobServiceClient, round: string): Promise<{ rate: number; instances: number }> {
      const batch = (tag: string) =>
        Promise.all(Array.from({ length: 12 }, (_, i) => firstValueFrom(jobs.run({ jobId: `${tag}-${i}`, workMs: 300 }))));
      await batch(`${round}-warm`);
      const started = performance.now();
      const replies = await batch(round);
      return { rate: 12 / ((performance.now() - started) / 1000), instances: new Set(replies.map((r) => r.servedBy)).size };
    }

    // The rates are printed, not asserted: speed is claimed from the benchmark, not from a test.
    it('spreads distinct keys over the instances as they are added', async () => {
      servers = await startServers(1, options, `${scope}:effects`);
      const jobs = await newClient(options);
      const one = await measure(jobs, 'one');
      servers.push(...(await startServers(2, options, `${scope}:effects`)));
      const three = await measure(jobs, 'three');
      console.log(
        `task throughput, concurrency 2 per instance: 1 instance ${one.rate.toFixed(1)} jobs/s, 3 instances ${three.rate.toFixed(1)} jobs/s`,
      );
      expect(one.instances).toBe(1);
      expect(three.instances).toBeGreaterThan(1);
    }, 90_000);
  });

  describe('result TTL', () => {
    const keyPrefix = `${uniqueName('ttl')}:`;
    const { scope, options, effects } = scenario({ tasks: { store: 'redis', redis: { keyPrefix }, leaseMs: 8_000, ttlMs: 1_500 } });
    const store = new RedisTaskStore({ keyPrefix });
    let servers: ServerProcess[] = [];

    beforeAll(async () => {
      servers = await startServers(1, options, `${scope}:effects`);
    });

    afterAll(async () => {
      await stopServers(servers);
      await Promise.all([effects.close(), store.close()]);
    });

    it('returns the remembered result within the TTL and runs again after it', async () => {
      const jobs = await newClient(options);
      const first = await firstValueFrom(jobs.run({ jobId: 'ttl-job' }));
      const again = await firstValueFrom(jobs.run({ jobId: 'ttl-job' }));
      expect(again).toEqual(first);
      expect(await effects.runs('ttl-job')).toBe(1);
      await waitFor(async () => (await store.getResult(taskStoreKey('vrpc.jobs.JobService', 'Run', 'ttl-job'))) === null, 5_000);
      const later = await firstValueFrom(jobs.run({ jobId: 'ttl-job' }));
      expect(await effects.runs('ttl-job')).toBe(2);
      expect(later.fencingToken).toBeGreaterThan(first.fencingToken);
    });
  });

  describe('the holder of a long task is killed', () => {
    const { scope, options, effects } = scenario();
    let servers: ServerProcess[] = [];

    beforeAll(async () => {
      servers = await startServers(3, options, `${scope}:effects`);
    });

    afterAll(async () => {
      await stopServers(servers);
      await effects.close();
    });

    it('runs it once more elsewhere after the lease expires, with a larger fencing token', async () => {
      const jobs = await newClient(options);
      const pending: Promise<JobReply> = firstValueFrom(jobs.run({ jobId: 'long-job', workMs: 4_000 }, undefined, { timeoutMs: 60_000 }));
      await waitFor(async () => (await effects.holder('long-job')) !== null, 20_000);
      const holder = await effects.holder('long-job');
      const victim = servers.find((server) => `pid-${server.pid}` === holder);
      expect(victim).toBeDefined();
      victim?.kill('SIGKILL');
      const reply = await pending;
      expect(reply.servedBy).not.toBe(holder);
      expect(reply.fencingToken).toBeGreaterThan(1);
      expect(await effects.runs('long-job')).toBe(2);
      servers = servers.filter((server) => server !== victim);
    }, 90_000);
  });
});
