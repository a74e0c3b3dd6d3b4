import { Metadata, status } from '@grpc/grpc-js';
import {
  type CallHandler,
  type CanActivate,
  Controller,
  type ExecutionContext,
  Injectable,
  type INestMicroservice,
  type NestInterceptor,
  type PipeTransform,
  UseGuards,
  UseInterceptors,
  UsePipes,
} from '@nestjs/common';
import { Ctx, GrpcMethod, Payload, RpcException } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { firstValueFrom, map, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ECHO_PROTO,
  type EchoReply,
  type EchoRequest,
  type EchoServiceClient,
  JOBS_PROTO,
  type JobReply,
  type JobRequest,
  type JobServiceClient,
} from '@vrpc/test-support';
import { VrpcClient } from '../client/vrpc-client.js';
import { VrpcModule } from '../module/vrpc.module.js';
import { VRPC_TASK_STORE } from '../module/vrpc.tokens.js';
import { VrpcServer } from '../server/vrpc-server.js';
import { VrpcContext } from '../server/vrpc.context.js';
import type { CallerIdentity } from '../serving/request-executor.interface.js';
import { taskStoreKey } from './task-store-key.js';
import type { TaskStore } from './task-store.interface.js';
import { VrpcTask } from './vrpc-task.decorator.js';

const seen: { callers: CallerIdentity[]; intercepted: number } = { callers: [], intercepted: 0 };

/** Lets a call through only with `authorization: letmein`; records the caller vRPC verified. */
@Injectable()
class AuthorizationGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    // As gRPC's: (data, metadata, call), the VrpcContext standing where `call` would.
    const [, metadata, call] = context.getArgs<[unknown, Metadata, VrpcContext]>();
    seen.callers.push(call.getCaller());
    if (metadata.get('authorization')[0] !== 'letmein') throw new RpcException({ code: status.PERMISSION_DENIED, message: 'no' });
    return true;
  }
}

/** Marks every reply that goes out through it. */
@Injectable()
class TraceInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    seen.intercepted++;
    return next.handle().pipe(map((reply: EchoReply) => ({ ...reply, trace: `${reply.trace}+traced` })));
  }
}

/** Refuses texts that start with `bad`. */
class TextPipe implements PipeTransform {
  transform(value: unknown): unknown {
    if ((value as EchoRequest | undefined)?.text?.startsWith('bad'))
      throw new RpcException({ code: status.INVALID_ARGUMENT, message: 'bad text' });
    return value;
  }
}

@Controller()
class Handlers {
  readonly runs = new Map<string, number>();

  private count(name: string): number {
    const runs = (this.runs.get(name) ?? 0) + 1;
    this.runs.set(name, runs);
    return runs;
  }

  @UseGuards(AuthorizationGuard)
  @VrpcTask<JobRequest>({ key: (request) => request.jobId })
  @GrpcMethod('JobService', 'Run')
  run(request: JobRequest, _metadata: Metadata, context: VrpcContext): JobReply {
    return {
      result: `secret:${request.jobId}:${this.count(`run:${request.jobId}`)}`,
      servedBy: 'unit',
      fencingToken: context.getTask()?.fencingToken ?? 0,
    };
  }

  @VrpcTask()
  @UseInterceptors(TraceInterceptor)
  @UsePipes(TextPipe)
  @GrpcMethod('EchoService', 'Echo')
  echo(@Payload() request: EchoRequest): EchoReply {
    const runs = this.count(`echo:${request.text}`);
    if (request.failCode) throw new RpcException({ code: request.failCode, message: `${request.failMessage}:${runs}` });
    return { text: `${request.text}:${runs}`, servedBy: 'unit', trace: 'echo' };
  }

  @GrpcMethod('EchoService', 'Missing')
  missing(@Payload() request: EchoRequest, @Ctx() _context: VrpcContext): EchoReply {
    return { text: `${request.text}:${this.count(`missing:${request.text}`)}`, servedBy: 'unit', trace: '' };
  }
}

const allowed = (): Metadata => {
  const metadata = new Metadata();
  metadata.set('authorization', 'letmein');
  return metadata;
};

describe('task keys inside the Nest pipeline', () => {
  let app: INestMicroservice;
  let jobs: JobServiceClient;
  let echo: EchoServiceClient;
  let controller: Handlers;
  let store: TaskStore;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [VrpcModule.forRoot({ protos: [JOBS_PROTO, ECHO_PROTO], bus: 'memory', client: { timeoutMs: 5_000 } })],
      controllers: [Handlers],
    }).compile();
    app = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VrpcServer), logger: ['error'] });
    await app.listen();
    controller = moduleRef.get(Handlers);
    store = moduleRef.get<TaskStore>(VRPC_TASK_STORE);
    const client = moduleRef.get(VrpcClient);
    jobs = client.getService<JobServiceClient>('JobService');
    echo = client.getService<EchoServiceClient>('EchoService');
  });

  afterAll(async () => {
    await app.close();
  });

  it('refuses a caller the guard refuses although a result is remembered, and leaves the result alone', async () => {
    const first = await firstValueFrom(jobs.run({ jobId: 'payroll' }, allowed(), { taskKey: 'k1' }));
    expect(first.result).toBe('secret:payroll:1');
    const stored = await store.getResult(taskStoreKey('vrpc.jobs.JobService', 'Run', 'k1'));
    await expect(firstValueFrom(jobs.run({ jobId: 'other' }, undefined, { taskKey: 'k1' }))).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
    });
    expect(controller.runs.get('run:other')).toBeUndefined();
    expect(await store.getResult(taskStoreKey('vrpc.jobs.JobService', 'Run', 'k1'))).toEqual(stored);
    expect(await firstValueFrom(jobs.run({ jobId: 'other' }, allowed(), { taskKey: 'k1' }))).toEqual(first);
  });

  it('does not remember a refusal: a refused first call leaves the key free for an authorised one', async () => {
    await expect(firstValueFrom(jobs.run({ jobId: 'fresh' }))).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    expect((await firstValueFrom(jobs.run({ jobId: 'fresh' }, allowed()))).result).toBe('secret:fresh:1');
  });

  it('scopes keys by service and method: the same key on another method is another task', async () => {
    await firstValueFrom(jobs.run({ jobId: 'scoped' }, allowed(), { taskKey: 'shared' }));
    const reply = await firstValueFrom(echo.echo({ text: 'hello' }, undefined, { taskKey: 'shared' }));
    expect(reply.text).toBe('hello:1');
  });

  it('ignores a call-supplied key on a method without @VrpcTask: it runs every time', async () => {
    const metadata = new Metadata();
    metadata.set('vrpc-task-key', 'k-missing');
    expect((await firstValueFrom(echo.missing({ text: 'm' }, metadata))).text).toBe('m:1');
    expect((await firstValueFrom(echo.missing({ text: 'm' }, metadata))).text).toBe('m:2');
  });

  it('runs pipes before a remembered result is returned, and sends it through the interceptors', async () => {
    const before = seen.intercepted;
    const first = await firstValueFrom(echo.echo({ text: 'once' }, undefined, { taskKey: 'k-echo' }));
    const again = await firstValueFrom(echo.echo({ text: 'twice' }, undefined, { taskKey: 'k-echo' }));
    expect(first).toEqual({ text: 'once:1', servedBy: 'unit', trace: 'echo+traced' });
    expect(again).toEqual(first);
    expect(seen.intercepted - before).toBe(2);
    await expect(firstValueFrom(echo.echo({ text: 'bad' }, undefined, { taskKey: 'k-echo' }))).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
  });

  it('replays a remembered failure with its status', async () => {
    const failing = { text: 'boom', failCode: status.FAILED_PRECONDITION, failMessage: 'not yet' };
    const error = { code: status.FAILED_PRECONDITION, details: 'not yet:1' };
    await expect(firstValueFrom(echo.echo(failing, undefined, { taskKey: 'k-fail' }))).rejects.toMatchObject(error);
    await expect(firstValueFrom(echo.echo(failing, undefined, { taskKey: 'k-fail' }))).rejects.toMatchObject(error);
    expect(controller.runs.get('echo:boom')).toBe(1);
  });

  it('shows guards the caller identity the dispatcher passed', async () => {
    seen.callers.length = 0;
    await firstValueFrom(jobs.run({ jobId: 'who' }, allowed()));
    expect(seen.callers).toEqual([{}]);
  });
});

@Controller()
class DerivedKeyJobs {
  readonly runs: string[] = [];

  @VrpcTask<JobRequest>({ key: (request) => request.jobId, callerKey: false })
  @GrpcMethod('JobService', 'Run')
  run(request: JobRequest): JobReply {
    this.runs.push(request.jobId);
    return { result: `done:${request.jobId}`, servedBy: 'unit', fencingToken: 0 };
  }
}

describe('@VrpcTask({ callerKey: false })', () => {
  let app: INestMicroservice;
  let jobs: JobServiceClient;
  let controller: DerivedKeyJobs;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [VrpcModule.forRoot({ protos: JOBS_PROTO, bus: 'memory', client: { timeoutMs: 5_000 } })],
      controllers: [DerivedKeyJobs],
    }).compile();
    app = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VrpcServer), logger: ['error'] });
    await app.listen();
    controller = moduleRef.get(DerivedKeyJobs);
    jobs = moduleRef.get(VrpcClient).getService<JobServiceClient>('JobService');
  });

  afterAll(async () => {
    await app.close();
  });

  it('names the task by the derived key alone: a call-supplied key cannot pick another job’s result', async () => {
    await firstValueFrom(jobs.run({ jobId: 'a' }, undefined, { taskKey: 'chosen' }));
    const b = await firstValueFrom(jobs.run({ jobId: 'b' }, undefined, { taskKey: 'chosen' }));
    expect(b.result).toBe('done:b');
    await firstValueFrom(jobs.run({ jobId: 'a' }));
    expect(controller.runs).toEqual(['a', 'b']);
  });
});
