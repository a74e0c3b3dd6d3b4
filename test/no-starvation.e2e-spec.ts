import { Controller, type INestMicroservice } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { VrpcClient, VrpcModule, VrpcServer, type VrpcModuleOptions } from '@vrpc/nestjs';
import { encodeRequest } from '@vrpc/nestjs/protocol';
import type { Producer } from 'kafkajs';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EchoReply, EchoRequest, EchoServiceClient } from './fixtures/echo.service.js';
import { isolatedOptions } from './support/echo-app.js';
import { testKafka, uniqueName, waitFor } from './support/kafka.js';

const SERVICE = 'vrpc.echo.EchoService';

/** Serves Echo; a request whose text starts with `block` waits until the test opens the gate. */
@Controller()
class BlockingController {
  readonly started: string[] = [];
  private open!: () => void;
  readonly gate = new Promise<void>((resolve) => (this.open = resolve));

  @GrpcMethod('EchoService', 'Echo')
  async echo(request: EchoRequest): Promise<EchoReply> {
    const text = request.text ?? '';
    this.started.push(text);
    if (text.startsWith('block')) await this.gate;
    return { text, servedBy: 'test', trace: '' };
  }

  release(): void {
    this.open();
  }
}

/** The envelope of an Echo call as a producer outside vRPC would write it. */
function rawRequest(requestId: string, text: string, replyTo: string): Buffer {
  return encodeRequest({
    requestId,
    serviceName: SERVICE,
    methodName: 'Echo',
    payload: Buffer.from([0x0a, text.length, ...Buffer.from(text)]),
    metadata: {},
    timestamp: Date.now(),
    timeoutMs: 60_000,
    clientId: 'raw',
    replyTo,
    replyPartition: 0,
    deadline: Date.now() + 60_000,
    taskKey: '',
    attempt: 0,
    oneWay: false,
  });
}

describe('vRPC over Kafka: no request starves the others of its partition', () => {
  let options: VrpcModuleOptions;
  let app: INestMicroservice;
  let controller: BlockingController;
  let client: VrpcClient;
  let producer: Producer;

  beforeAll(async () => {
    // One request partition: every message below shares it.
    options = isolatedOptions({ client: { timeoutMs: 2_000 }, server: { concurrency: 64 } });
    options.topics = { ...options.topics, requestPartitions: 1 };
    const moduleRef = await Test.createTestingModule({
      imports: [VrpcModule.forRoot(options)],
      controllers: [BlockingController],
    }).compile();
    app = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VrpcServer), logger: ['error'] });
    await app.listen();
    controller = moduleRef.get(BlockingController);
    client = moduleRef.get(VrpcClient);
    await client.connect();
    producer = testKafka().producer();
    await producer.connect();
  });

  afterAll(async () => {
    controller?.release();
    await producer?.disconnect();
    await app?.close();
  });

  it('answers calls of other keys within 2 s while one key is blocked with 70 behind it and a blocked id has 100 copies', async () => {
    const topic = `${options.topics?.requestPrefix}${SERVICE}`;
    const replies = options.topics?.replies ?? '';
    const scope = uniqueName('starve');
    const keyed = [
      { key: 'hot', value: rawRequest(`${scope}/blocked-key`, 'block-key', replies) },
      ...Array.from({ length: 70 }, (_, i) => ({ key: 'hot', value: rawRequest(`${scope}/hot-${i}`, `hot-${i}`, replies) })),
    ];
    // Keyed by its own id, as vRPC's client writes a request without a task key.
    const copyId = `${scope}/blocked-id`;
    const copies = Array.from({ length: 101 }, () => ({
      key: copyId,
      value: rawRequest(copyId, 'block-id', replies),
      headers: { 'vrpc-id': copyId },
    }));
    await producer.send({ topic, messages: [...keyed, ...copies] });
    await waitFor(() => controller.started.includes('block-key') && controller.started.includes('block-id'), 10_000);
    const echo = client.getService<EchoServiceClient>('EchoService');
    const began = Date.now();
    const answered = await Promise.all(Array.from({ length: 10 }, (_, i) => firstValueFrom(echo.echo({ text: `other-${i}` }))));
    expect(answered.map((reply) => reply.text)).toEqual(Array.from({ length: 10 }, (_, i) => `other-${i}`));
    expect(Date.now() - began).toBeLessThan(2_000);
    // Nothing behind the blocked key ran ahead of it, and the copies never ran.
    expect(controller.started.filter((text) => text.startsWith('hot-'))).toEqual([]);
    controller.release();
    await waitFor(() => controller.started.filter((text) => text.startsWith('hot-')).length === 70, 10_000);
    expect(controller.started.filter((text) => text === 'block-id')).toHaveLength(1);
  });
});
