import { type INestMicroservice } from '@nestjs/common';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { VrpcModule, VrpcServer, type VrpcModuleOptions } from '@vrpc/nestjs';
import type { Kafka } from 'kafkajs';
import { uniqueName, waitFor, withTestAdmin } from '../support/kafka.js';
import type { EchoReply, EchoRequest } from '../fixtures/echo.service.js';

/** A message read back by the attacker, with its headers as strings. */
export interface Seen {
  partition: number;
  offset: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** One protobuf string field 1 (`EchoRequest.text`, `EchoReply.text`, `Words.text`), as an attacker writes it by hand. */
export function textMessage(text: string): Buffer {
  const bytes = Buffer.from(text);
  if (bytes.length > 127) throw new Error('short texts only');
  return Buffer.concat([Buffer.from([0x0a, bytes.length]), bytes]);
}

/** Prints one line of the attack table. */
export function report(attack: string, outcome: string): void {
  process.stdout.write(`${attack} | ${outcome}\n`);
}

/** Serves EchoService; a text starting with `hold` waits until `release()`. Records every text it ran. */
@Controller()
export class GatedEchoController {
  readonly servedBy = `genuine-${process.pid}`;
  readonly calls: string[] = [];
  private opened!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.opened = resolve));

  @GrpcMethod('EchoService', 'Echo')
  async echo(request: EchoRequest): Promise<EchoReply> {
    const text = request.text ?? '';
    this.calls.push(text);
    if (text.startsWith('hold')) await this.gate;
    return { text, servedBy: this.servedBy, trace: '' };
  }

  release(): void {
    this.opened();
  }
}

/** Serves `controller`'s class over vRPC with `options`; resolves once it listens. */
export async function serve<T>(options: VrpcModuleOptions, controller: new () => T): Promise<{ app: INestMicroservice; controller: T }> {
  const moduleRef = await Test.createTestingModule({ imports: [VrpcModule.forRoot(options)], controllers: [controller] }).compile();
  const app = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VrpcServer), logger: ['error'] });
  await app.listen();
  return { app, controller: moduleRef.get(controller) };
}

/** The attacker's raw consumer of a whole topic from its start, keeping every message, until `stop()`. */
export async function watch(kafka: Kafka, topic: string): Promise<{ seen: Seen[]; stop: () => Promise<void> }> {
  const consumer = kafka.consumer({ groupId: uniqueName('attacker'), maxWaitTimeInMs: 50 });
  const seen: Seen[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: ({ partition, message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
      seen.push({
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? '',
        value: message.value ?? Buffer.alloc(0),
        headers,
      });
      return Promise.resolve();
    },
  });
  return { seen, stop: () => consumer.disconnect() };
}

/** Every message of `topic` up to its end as it is now, read by a raw consumer of its own. */
export async function readToEnd(kafka: Kafka, topic: string): Promise<Seen[]> {
  const ends = await withTestAdmin((admin) => admin.fetchTopicOffsets(topic));
  const total = ends.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
  const reader = await watch(kafka, topic);
  try {
    await waitFor(() => reader.seen.length >= total, 15_000);
    return [...reader.seen];
  } finally {
    await reader.stop();
  }
}

/** Creates topics the attacker wants to exist (so that a write to them would succeed). */
export function createTopics(...topics: string[]): Promise<boolean> {
  return withTestAdmin((admin) =>
    admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true }),
  );
}
