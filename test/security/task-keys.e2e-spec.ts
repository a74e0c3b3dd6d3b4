import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Metadata, status } from '@grpc/grpc-js';
import { loadSync, type MethodDefinition, type ServiceDefinition } from '@grpc/proto-loader';
import { type CanActivate, Controller, type ExecutionContext, Injectable, type INestMicroservice, UseGuards } from '@nestjs/common';
import { GrpcMethod, RpcException } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import {
  type CallerIdentity,
  type TaskStore,
  taskStoreKey,
  VRPC_TASK_STORE,
  VrpcClient,
  VrpcContext,
  VrpcModule,
  VrpcServer,
  VrpcTask,
  type VrpcCallOptions,
  type VrpcProtoOptions,
} from '@vrpc/nestjs';
import { decodeResponse, encodeRequest, type ResponseEnvelope } from '@vrpc/nestjs/protocol';
import type { Consumer, Producer } from 'kafkajs';
import { firstValueFrom, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedOptions } from '../support/echo-app.js';
import { testKafka, uniqueName, waitFor } from '../support/kafka.js';

const PROTO_PATH = join(import.meta.dirname, 'task-keys.proto');
const VAULT_PROTO: VrpcProtoOptions = { protoPath: PROTO_PATH, package: 'vrpc.vault' };
const SERVICE = 'vrpc.vault.Vault';
const methods = loadSync(PROTO_PATH)[SERVICE] as ServiceDefinition;

interface SecretRequest {
  name: string;
}
interface SecretReply {
  text: string;
  run: number;
}
interface VaultClient {
  reveal(request: SecretRequest, metadata?: Metadata, options?: VrpcCallOptions): Observable<SecretReply>;
  peek(request: SecretRequest, metadata?: Metadata, options?: VrpcCallOptions): Observable<SecretReply>;
  whoAmI(request: SecretRequest, metadata?: Metadata, options?: VrpcCallOptions): Observable<SecretReply>;
}

/** The callers each guard saw, and the runs of each handler body. */
const seen = { callers: [] as CallerIdentity[], runs: new Map<string, number>() };
const ran = (what: string): number => {
  const runs = (seen.runs.get(what) ?? 0) + 1;
  seen.runs.set(what, runs);
  return runs;
};

@Injectable()
class AuthorizationGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const metadata = context.getArgByIndex<Metadata>(1);
    if (metadata.get('authorization')[0] === 'Bearer payroll-admin') return true;
    throw new RpcException({ code: status.PERMISSION_DENIED, message: 'payroll-admin only' });
  }
}

@Injectable()
class CallerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    seen.callers.push(context.getArgByIndex<VrpcContext>(2).getCaller());
    return true;
  }
}

@Controller()
class VaultController {
  @UseGuards(AuthorizationGuard)
  @VrpcTask()
  @GrpcMethod('Vault', 'Reveal')
  reveal({ name }: SecretRequest): SecretReply {
    return { text: `SECRET salary of ${name}`, run: ran(`reveal:${name}`) };
  }

  @VrpcTask()
  @GrpcMethod('Vault', 'Peek')
  peek({ name }: SecretRequest): SecretReply {
    return { text: `peek ${name}`, run: ran(`peek:${name}`) };
  }

  @GrpcMethod('Vault', 'Echo')
  echo({ name }: SecretRequest): SecretReply {
    return { text: name, run: ran(`echo:${name}`) };
  }

  @UseGuards(CallerGuard)
  @GrpcMethod('Vault', 'WhoAmI')
  whoAmI(_request: SecretRequest, _metadata: Metadata, context: VrpcContext): SecretReply {
    return { text: JSON.stringify(context.getCaller()), run: ran('whoami') };
  }
}

const report = (attack: string, outcome: string): void => {
  process.stdout.write(`${attack} | ${outcome}\n`);
};

describe('security: task keys cannot bypass guards or leak results (issue 14, points 5 and 6)', () => {
  const options = isolatedOptions({ protos: VAULT_PROTO });
  const requestTopic = `${options.topics?.requestPrefix}${SERVICE}`;
  const replyTopic = options.topics?.replies ?? '';
  const replies = new Map<string, ResponseEnvelope>();
  let app: INestMicroservice;
  let vault: VaultClient;
  let store: TaskStore;
  let producer: Producer;
  let consumer: Consumer;
  const admin = (): Metadata => {
    const metadata = new Metadata();
    metadata.set('authorization', 'Bearer payroll-admin');
    return metadata;
  };

  /** What an attacker with write access to the request topic sends, and the reply it reads back. */
  async function attack(method: string, name: string, taskKey: string): Promise<ResponseEnvelope> {
    const requestId = randomUUID();
    const now = Date.now();
    const definition = methods[method] as MethodDefinition<SecretRequest, SecretReply>;
    const value = encodeRequest({
      requestId,
      serviceName: SERVICE,
      methodName: method,
      payload: definition.requestSerialize({ name }),
      metadata: {},
      timestamp: now,
      timeoutMs: 10_000,
      clientId: 'attacker',
      replyTo: replyTopic,
      replyPartition: 0,
      deadline: now + 10_000,
      taskKey,
      attempt: 1,
      oneWay: false,
    });
    await producer.send({ topic: requestTopic, messages: [{ key: taskKey, value }] });
    await waitFor(() => replies.has(requestId), 15_000);
    return replies.get(requestId)!;
  }
  const text = (method: string, reply: ResponseEnvelope): string =>
    (methods[method] as MethodDefinition<SecretRequest, SecretReply>).responseDeserialize(Buffer.from(reply.payload)).text;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [VrpcModule.forRoot(options)], controllers: [VaultController] }).compile();
    app = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VrpcServer), logger: ['error'] });
    await app.listen();
    store = moduleRef.get<TaskStore>(VRPC_TASK_STORE);
    const client = moduleRef.get(VrpcClient);
    await client.connect();
    vault = client.getService<VaultClient>('Vault');
    const kafka = testKafka();
    producer = kafka.producer();
    consumer = kafka.consumer({ groupId: uniqueName('attacker') });
    await Promise.all([producer.connect(), consumer.connect()]);
    await consumer.subscribe({ topic: replyTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        if (message.value) {
          const reply = decodeResponse(message.value);
          replies.set(reply.requestId, reply);
        }
        return Promise.resolve();
      },
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([consumer?.disconnect(), producer?.disconnect()]);
    await app?.close();
  });

  it('refuses a task-key bypass of a guard: handler not run, remembered result untouched', async () => {
    const genuine = await firstValueFrom(vault.reveal({ name: 'alice' }, admin(), { taskKey: 'payroll-2026' }));
    const storeKey = taskStoreKey(SERVICE, 'Reveal', 'payroll-2026');
    const remembered = await store.getResult(storeKey);
    expect(remembered).not.toBeNull();

    const reply = await attack('Reveal', 'mallory', 'payroll-2026');
    expect(reply.statusCode).toBe(status.PERMISSION_DENIED);
    expect(reply.payload.length).toBe(0);
    expect(seen.runs.get('reveal:mallory')).toBeUndefined();
    expect(await store.getResult(storeKey)).toEqual(remembered);
    // The authorised caller still gets its remembered result: the attack changed nothing.
    expect(await firstValueFrom(vault.reveal({ name: 'alice' }, admin(), { taskKey: 'payroll-2026' }))).toEqual(genuine);
    expect(seen.runs.get('reveal:alice')).toBe(1);
    report(
      'task key of an authorised Reveal, no authorization',
      `${status[reply.statusCode]} "${reply.errorMessage}", handler not run, remembered result untouched`,
    );
  });

  it('does not let a refused call poison a key an authorised caller uses later', async () => {
    const reply = await attack('Reveal', 'mallory', 'payroll-2027');
    expect(reply.statusCode).toBe(status.PERMISSION_DENIED);
    const genuine = await firstValueFrom(vault.reveal({ name: 'bob' }, admin(), { taskKey: 'payroll-2027' }));
    expect(genuine.text).toBe('SECRET salary of bob');
    report(
      'unauthorised Reveal first, to plant a result for a key',
      `${status[reply.statusCode]}, nothing remembered; the authorised call runs and gets its own result`,
    );
  });

  it('scopes task keys by service and method: another method with that key gets its own result', async () => {
    await firstValueFrom(vault.reveal({ name: 'carol' }, admin(), { taskKey: 'payroll-2028' }));
    const peek = await attack('Peek', 'mallory', 'payroll-2028');
    const echo = await attack('Echo', 'mallory', 'payroll-2028');
    expect(peek.statusCode).toBe(status.OK);
    expect(text('Peek', peek)).toBe('peek mallory');
    expect(text('Echo', echo)).toBe('mallory');
    expect(Buffer.from(peek.payload).toString()).not.toContain('SECRET');
    report('Reveal task key on Peek (another @VrpcTask method)', `OK "${text('Peek', peek)}": its own task, not Reveal's bytes`);
    report('Reveal task key on Echo (not a @VrpcTask)', `OK "${text('Echo', echo)}": the key is ignored`);
  });

  it('ignores a call-supplied task key on a method that did not opt in: the handler runs every time', async () => {
    const first = await attack('Echo', 'repeat', 'echo-key');
    const second = await attack('Echo', 'repeat', 'echo-key');
    expect([first.statusCode, second.statusCode]).toEqual([status.OK, status.OK]);
    expect(seen.runs.get('echo:repeat')).toBe(2);
    report('the same task key twice on Echo (not a @VrpcTask)', 'the handler ran both times: no remembered result to replay');
  });

  it('shows a guard the caller identity the dispatcher verified, not what the caller wrote', async () => {
    seen.callers.length = 0;
    const metadata = new Metadata();
    metadata.set('x-vrpc-key-id', 'forged');
    const reply = await firstValueFrom(vault.whoAmI({ name: 'me' }, metadata));
    expect(seen.callers).toEqual([{}]);
    expect(reply.text).toBe('{}');
    report(
      'metadata claiming a key id, read by a guard via VrpcContext.getCaller()',
      'the guard sees {} (nothing verified), not the claim',
    );
  });
});

describe('security: a guard sees the key a signed request was verified with (issue 14, point 6)', () => {
  const security = { keys: { ops: 'ops-key-0123456789abcdef0123456789' }, signWith: 'ops' };
  const options = isolatedOptions({ protos: VAULT_PROTO, security });
  let app: INestMicroservice;
  let vault: VaultClient;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [VrpcModule.forRoot(options)], controllers: [VaultController] }).compile();
    app = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VrpcServer), logger: ['error'] });
    await app.listen();
    const client = moduleRef.get(VrpcClient);
    await client.connect();
    vault = client.getService<VaultClient>('Vault');
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  it('passes the verified key id to VrpcContext.getCaller(), for guards and handlers', async () => {
    seen.callers.length = 0;
    const reply = await firstValueFrom(vault.whoAmI({ name: 'me' }));
    expect(seen.callers).toEqual([{ keyId: 'ops' }]);
    expect(JSON.parse(reply.text)).toEqual({ keyId: 'ops' });
    report('signed request, read by a guard via VrpcContext.getCaller()', 'the guard sees { keyId: "ops" }, the key it was verified with');
  });
});
