import { Metadata, status } from '@grpc/grpc-js';
import { VrpcCallError } from '@vrpc/nestjs';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { expect, it } from 'vitest';
import { ECHO_SERVICE, failure, type VrpcScenarioContext } from './scenario-context.js';

/** Unary calls: replies, metadata, the patterns of send(), and handler outcomes as gRPC statuses. */
export function callScenarios(ctx: VrpcScenarioContext): void {
  it('serves the first call made right after connect(), with its metadata', async () => {
    const metadata = new Metadata();
    metadata.set('x-trace', 'first');
    const reply = await firstValueFrom(ctx.echo.echo({ text: 'first call' }, metadata));
    expect(reply).toEqual({ text: 'first call', servedBy: `pid-${process.pid}`, trace: 'first' });
  });

  it('completes after one value, as a unary gRPC call does', async () => {
    const values = await lastValueFrom(ctx.echo.echo({ text: 'once' }).pipe(toArray()));
    expect(values).toHaveLength(1);
  });

  it('supports send() with a { service, rpc } pattern', async () => {
    const reply = await firstValueFrom(
      ctx.echoApp.client.send<{ text: string }>({ service: 'EchoService', rpc: 'Echo' }, { text: 'via send' }),
    );
    expect(reply).toMatchObject({ text: 'via send' });
  });

  it('maps handler outcomes to gRPC status codes', async () => {
    await expect(
      failure(firstValueFrom(ctx.echo.echo({ failCode: status.PERMISSION_DENIED, failMessage: 'nope' }))),
    ).resolves.toMatchObject({
      code: status.PERMISSION_DENIED,
      details: 'nope',
    });
    const internal = await failure(firstValueFrom(ctx.echo.echo({ crash: true })));
    expect(internal?.code).toBe(status.INTERNAL);
    expect(internal?.details).not.toContain('secret');
    await expect(failure(firstValueFrom(ctx.echo.missing({ text: 'x' })))).resolves.toMatchObject({ code: status.UNIMPLEMENTED });
  });

  it('delivers RpcException codes as grpc-shaped errors', async () => {
    const error = await failure(firstValueFrom(ctx.echo.echo({ failCode: status.NOT_FOUND, failMessage: 'no such thing' })));
    expect(error).toBeInstanceOf(VrpcCallError);
    expect(error).toMatchObject({ code: status.NOT_FOUND, details: 'no such thing' });
    expect(error?.metadata).toBeInstanceOf(Metadata);
  });

  it('answers INVALID_ARGUMENT when the payload does not decode', async () => {
    const garbage = ctx.echoApp.client.callRaw(ECHO_SERVICE, 'Echo', Buffer.from([0xff, 0xff, 0xff, 0xff]));
    await expect(failure(firstValueFrom(garbage))).resolves.toMatchObject({ code: status.INVALID_ARGUMENT });
  });

  it('runs requests concurrently', async () => {
    const started = Date.now();
    const replies = await Promise.all(Array.from({ length: 16 }, (_, i) => firstValueFrom(ctx.echo.echo({ text: `c${i}`, delayMs: 500 }))));
    expect(replies.map((reply) => reply.text)).toEqual(Array.from({ length: 16 }, (_, i) => `c${i}`));
    // One after another this would take 8 s.
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('serves many calls at once', async () => {
    const texts = Array.from({ length: 200 }, (_, i) => `n${i}`);
    const replies = await Promise.all(texts.map((text) => firstValueFrom(ctx.echo.echo({ text, delayMs: 5 }))));
    expect(replies.map((reply) => reply.text)).toEqual(texts);
    expect(ctx.echoApp.client.pendingCount).toBe(0);
  });
}
