// An EchoService server in a process of its own for the hostile-input tests: it reports every
// handler run to its parent over IPC (request id, text, where the reply goes) and answers RSS
// queries. Env: VRPC_TEST_OPTIONS (JSON of VrpcModuleOptions minus protos).
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod } from '@nestjs/microservices';
import { VrpcContext, VrpcModule, VrpcServer, type VrpcModuleOptions } from '@vrpc/nestjs';
import { ECHO_PROTO, type EchoReply, type EchoRequest } from '../fixtures/echo.service.js';

const given = JSON.parse(process.env.VRPC_TEST_OPTIONS ?? '{}') as Omit<VrpcModuleOptions, 'protos'> & {
  server?: { replyTopicsPattern?: string };
};
// JSON carries no RegExp: the allowed reply topics come as a pattern's source.
const { replyTopicsPattern, ...server } = given.server ?? {};
const options: Omit<VrpcModuleOptions, 'protos'> = {
  ...given,
  server: replyTopicsPattern === undefined ? server : { ...server, replyTopics: new RegExp(replyTopicsPattern) },
};
const send = (message: object): void => {
  if (process.connected) process.send?.(message);
};

@Controller()
class HostileEchoController {
  @GrpcMethod('EchoService', 'Echo')
  async echo(request: EchoRequest, _metadata: unknown, context: VrpcContext): Promise<EchoReply> {
    const envelope = context.getEnvelope();
    const id = envelope.requestId;
    send({
      run: createHash('sha1').update(id).digest('hex'),
      id: id.slice(0, 200),
      idLength: id.length,
      text: (request.text ?? '').slice(0, 200),
      replyTo: envelope.replyTo.slice(0, 200),
      replyPartition: envelope.replyPartition ?? null,
      pid: process.pid,
    });
    if (request.delayMs) await delay(request.delayMs);
    // `big:N` asks for a reply of N bytes (a reply over the broker's max).
    const big = /^big:(\d+)$/.exec(request.text ?? '');
    const text = big ? 'x'.repeat(Number(big[1])) : (request.text ?? '');
    return { text, servedBy: `pid-${process.pid}`, trace: '' };
  }
}

@Module({ imports: [VrpcModule.forRoot({ ...options, protos: ECHO_PROTO })], controllers: [HostileEchoController] })
class HostileServerModule {}

process.on('message', (message: { rss?: number }) => {
  if (message.rss !== undefined) send({ rssOf: message.rss, rss: process.memoryUsage().rss });
});

const app = await NestFactory.createMicroservice(HostileServerModule, {
  inject: [VrpcServer],
  useFactory: (strategy: VrpcServer) => ({ strategy }),
  logger: ['error', 'warn', 'log', 'debug'],
});
app.enableShutdownHooks();
await app.listen();
send({ ready: process.pid });
// The IPC channel must not keep the process up once Nest has closed on SIGTERM.
process.channel?.unref();
