import { setTimeout as delay } from 'node:timers/promises';
import { Metadata } from '@grpc/grpc-js';
import { Controller, type INestMicroservice } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS_PROTO, type JobReply, type JobRequest, type JobServiceClient, waitFor } from '@vrpc/test-support';
import { VrpcClient } from '../client/vrpc-client.js';
import { VrpcTask } from './vrpc-task.decorator.js';
import { VrpcServer } from '../server/vrpc-server.js';
import type { VrpcContext } from '../server/vrpc.context.js';
import { VRPC_TASK_KEY_METADATA } from '../protocol/vrpc.constants.js';
import { VRPC_TASK_STORE } from '../module/vrpc.tokens.js';
import type { TaskStore } from './task-store.interface.js';
import { taskStoreKey } from './task-store-key.js';
import { VrpcModule } from '../module/vrpc.module.js';

@Controller()
class CountingJobs {
  readonly runs = new Map<string, number>();

  @VrpcTask<JobRequest>({ key: (request) => request.jobId, ttlMs: 200 })
  @GrpcMethod('JobService', 'Run')
  async run(request: JobRequest, _metadata: Metadata, context: VrpcContext): Promise<JobReply> {
    this.runs.set(request.jobId, (this.runs.get(request.jobId) ?? 0) + 1);
    await delay(request.workMs ?? 0);
    return {
      result: `done:${request.jobId}:${this.runs.get(request.jobId)}`,
      servedBy: 'unit',
      fencingToken: context.getTask()?.fencingToken ?? 0,
    };
  }
}

describe('task-level singletons on the in-memory bus', () => {
  let app: INestMicroservice;
  let jobs: JobServiceClient;
  let controller: CountingJobs;
  let store: TaskStore;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [VrpcModule.forRoot({ protos: JOBS_PROTO, bus: 'memory', server: { tasks: { ttlMs: 60_000 } } })],
      controllers: [CountingJobs],
    }).compile();
    app = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VrpcServer), logger: ['error'] });
    await app.listen();
    controller = moduleRef.get(CountingJobs);
    store = moduleRef.get<TaskStore>(VRPC_TASK_STORE);
    jobs = moduleRef.get(VrpcClient).getService<JobServiceClient>('JobService');
  });

  afterAll(async () => {
    await app.close();
  });

  it('runs one key once however many calls arrive at once, and all get its result', async () => {
    const replies = await Promise.all(Array.from({ length: 20 }, () => firstValueFrom(jobs.run({ jobId: 'a', workMs: 30 }))));
    expect(controller.runs.get('a')).toBe(1);
    expect(new Set(replies.map((reply) => reply.result))).toEqual(new Set(['done:a:1']));
    expect(replies[0].fencingToken).toBe(1);
  });

  it('runs different keys independently', async () => {
    await Promise.all(['b', 'c', 'd'].map((jobId) => firstValueFrom(jobs.run({ jobId }))));
    expect(['b', 'c', 'd'].map((jobId) => controller.runs.get(jobId))).toEqual([1, 1, 1]);
  });

  it('takes the task key from call metadata over the decorator', async () => {
    const metadata = new Metadata();
    metadata.set(VRPC_TASK_KEY_METADATA, 'shared');
    const first = await firstValueFrom(jobs.run({ jobId: 'x1' }, metadata));
    const second = await firstValueFrom(jobs.run({ jobId: 'x2' }, metadata));
    expect(second).toEqual(first);
    expect(controller.runs.get('x2')).toBeUndefined();
  });

  it('runs again once the decorator TTL has passed', async () => {
    const first = await firstValueFrom(jobs.run({ jobId: 'ttl' }));
    expect((await firstValueFrom(jobs.run({ jobId: 'ttl' }))).result).toBe(first.result);
    await waitFor(async () => (await store.getResult(taskStoreKey('vrpc.jobs.JobService', 'Run', 'ttl'))) === null, 2_000);
    const later = await firstValueFrom(jobs.run({ jobId: 'ttl' }));
    expect(later.result).toBe('done:ttl:2');
    expect(later.fencingToken).toBe(first.fencingToken + 1);
  });
});
