import { Metadata, status } from '@grpc/grpc-js';
import type { INestMicroservice } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { VrpcClient, VrpcModule, VrpcServer, type VrpcBus, type VrpcCallError, type VrpcModuleOptions } from '@vrpc/nestjs';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EchoController } from '../fixtures/echo.controller.js';
import { ECHO_PROTO, type EchoServiceClient } from '../fixtures/echo.service.js';
import { startEchoApp, type EchoApp } from '../support/echo-app.js';
import { type CreatedNames, uniqueName, waitFor } from './conformance-support.js';

/** A bus for the core scenarios: selected by name in the options, or given as an instance. */
export interface VrpcBusChoice {
  name: string;
  /** Options that select the bus by its config (`bus: { type: '…', …settings }`). */
  options(): Partial<VrpcModuleOptions>;
  /** A bus instance, for selection through DI. */
  create(): VrpcBus;
  /** Clients must share the app's bus instance to reach its server (in-process buses). */
  clientsShareOneBus?: boolean;
  /** Deletes what the tests created on a shared broker. */
  cleanup?(created: CreatedNames): Promise<void>;
}

const SERVICE = 'vrpc.echo.EchoService';

/** What options made by `scoped()` create on the broker. */
function createdBy(options: VrpcModuleOptions): CreatedNames {
  const { topics = {}, server: { groupPrefix = '' } = {} } = options;
  const requests = `${topics.requestPrefix ?? ''}${SERVICE}`;
  return {
    topics: new Set([requests, topics.replies ?? '', topics.deadLetter ?? '']),
    subscriptions: [{ group: `${groupPrefix}${SERVICE}`, topic: requests }],
  };
}

/** Module options with topics and groups of their own. */
function scoped(choice: VrpcBusChoice): VrpcModuleOptions {
  const scope = uniqueName('v');
  return {
    protos: ECHO_PROTO,
    topics: {
      requestPrefix: `${scope}.req.`,
      replies: `${scope}.replies`,
      deadLetter: `${scope}.dead`,
      requestPartitions: 4,
      replyPartitions: 4,
    },
    client: { timeoutMs: 15_000 },
    server: { groupPrefix: `${scope}.` },
    ...choice.options(),
  };
}

const failure = (call: Promise<unknown>): Promise<VrpcCallError | undefined> =>
  call.then(
    () => undefined,
    (error: unknown) => error as VrpcCallError,
  );

/** The core vRPC scenarios (unary call, errors, deadlines, concurrency, reply routing) on one bus. */
export function describeVrpcOnBus(choice: VrpcBusChoice): void {
  describe(`vRPC over ${choice.name}`, () => {
    let options: VrpcModuleOptions;
    let echoApp: EchoApp;
    let echo: EchoServiceClient;

    beforeAll(async () => {
      options = scoped(choice);
      echoApp = await startEchoApp(options);
      await echoApp.client.connect();
      echo = echoApp.client.getService<EchoServiceClient>('EchoService');
    });

    afterAll(async () => {
      await echoApp?.app.close();
      await choice.cleanup?.(createdBy(options));
    });

    it('serves the first call made right after connect(), with its metadata', async () => {
      const metadata = new Metadata();
      metadata.set('x-trace', 'first');
      const reply = await firstValueFrom(echo.echo({ text: 'first call' }, metadata));
      expect(reply).toEqual({ text: 'first call', servedBy: `pid-${process.pid}`, trace: 'first' });
    });

    it('maps handler outcomes to gRPC status codes', async () => {
      await expect(failure(firstValueFrom(echo.echo({ failCode: status.PERMISSION_DENIED, failMessage: 'nope' })))).resolves.toMatchObject({
        code: status.PERMISSION_DENIED,
        details: 'nope',
      });
      const internal = await failure(firstValueFrom(echo.echo({ crash: true })));
      expect(internal?.code).toBe(status.INTERNAL);
      expect(internal?.details).not.toContain('secret');
      await expect(failure(firstValueFrom(echo.missing({})))).resolves.toMatchObject({ code: status.UNIMPLEMENTED });
      const garbage = echoApp.client.callRaw('vrpc.echo.EchoService', 'Echo', Buffer.from([0xff, 0xff, 0xff, 0xff]));
      await expect(failure(firstValueFrom(garbage))).resolves.toMatchObject({ code: status.INVALID_ARGUMENT });
    });

    it('fails a call at its deadline and forgets it', async () => {
      const started = Date.now();
      const error = await failure(firstValueFrom(echo.echo({ text: 'late', delayMs: 3_000 }, undefined, { timeoutMs: 300 })));
      expect(error?.code).toBe(status.DEADLINE_EXCEEDED);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(echoApp.client.pendingCount).toBe(0);
    });

    it('runs requests concurrently', async () => {
      const started = Date.now();
      const replies = await Promise.all(
        Array.from({ length: 16 }, (_, i) => firstValueFrom(echo.echo({ text: `c${i}`, delayMs: 500 }))),
      );
      expect(replies.map((reply) => reply.text)).toEqual(Array.from({ length: 16 }, (_, i) => `c${i}`));
      // One after another this would take 8 s.
      expect(Date.now() - started).toBeLessThan(4_000);
    });

    it('routes each reply to the client instance that called', async () => {
      // A second client instance on a connection of its own (it owns and closes that bus).
      const other = choice.clientsShareOneBus
        ? new VrpcClient(options, echoApp.client.unwrap<VrpcBus>())
        : new VrpcClient({ ...options, bus: choice.create() });
      try {
        await other.connect();
        const theirs = other.getService<EchoServiceClient>('EchoService');
        const calls = Array.from({ length: 10 }, (_, i) =>
          Promise.all([firstValueFrom(echo.echo({ text: `mine-${i}` })), firstValueFrom(theirs.echo({ text: `theirs-${i}` }))]),
        );
        const pairs = await Promise.all(calls);
        pairs.forEach(([mine, their], i) => {
          expect(mine.text).toBe(`mine-${i}`);
          expect(their.text).toBe(`theirs-${i}`);
        });
        expect(other.pendingCount).toBe(0);
      } finally {
        await other.close();
      }
    });

    it('delivers a fire-and-forget emit() once', async () => {
      const text = uniqueName('emit');
      await firstValueFrom(echoApp.client.emit({ service: 'EchoService', rpc: 'Echo' }, { text }), { defaultValue: undefined });
      await waitFor(() => echoApp.controller.calls.includes(text), 15_000);
      expect(echoApp.controller.calls.filter((call) => call === text)).toHaveLength(1);
    });
  });

  describe(`vRPC over ${choice.name}, bus given through DI`, () => {
    let app: INestMicroservice | undefined;
    let options: VrpcModuleOptions | undefined;

    afterAll(async () => {
      await app?.close();
      if (options) await choice.cleanup?.(createdBy(options));
    });

    it('serves calls with a bus instance injected by forRootAsync', async () => {
      const BUS = Symbol('conformance bus');
      const scopedOptions = scoped(choice);
      options = scopedOptions;
      const moduleRef = await Test.createTestingModule({
        imports: [
          VrpcModule.forRootAsync({
            imports: [
              {
                module: class BusModule {},
                providers: [{ provide: BUS, useFactory: () => choice.create() }],
                exports: [BUS],
                global: false,
              },
            ],
            inject: [BUS],
            useFactory: (bus: VrpcBus) => ({ ...scopedOptions, bus }),
          }),
        ],
        controllers: [EchoController],
      }).compile();
      app = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VrpcServer), logger: ['error', 'warn'] });
      await app.listen();
      const client = moduleRef.get(VrpcClient);
      await client.connect();
      const reply = await firstValueFrom(client.getService<EchoServiceClient>('EchoService').echo({ text: 'through DI' }));
      expect(reply.text).toBe('through DI');
      expect(client.unwrap<VrpcBus>()).toBe(moduleRef.get<VrpcBus>(BUS, { strict: false }));
    });
  });
}
