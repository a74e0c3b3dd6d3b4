import { status } from '@grpc/grpc-js';
import { firstValueFrom } from 'rxjs';
import { expect, it } from 'vitest';
import type { EchoServiceClient } from '../../fixtures/echo.service.js';
import { uniqueName, waitFor } from '../conformance-support.js';
import { failure, type VrpcScenarioContext } from './scenario-context.js';

/** What happens around a call: deadlines, fire-and-forget, several client instances, closing. */
export function lifecycleScenarios(ctx: VrpcScenarioContext): void {
  it('fails a call at its deadline and forgets it', async () => {
    const started = Date.now();
    const error = await failure(firstValueFrom(ctx.echo.echo({ text: 'late', delayMs: 3_000 }, undefined, { timeoutMs: 300 })));
    expect(error?.code).toBe(status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(ctx.echoApp.client.pendingCount).toBe(0);
  });

  it('delivers a fire-and-forget emit() once', async () => {
    const text = uniqueName('emit');
    await firstValueFrom(ctx.echoApp.client.emit({ service: 'EchoService', rpc: 'Echo' }, { text }), { defaultValue: undefined });
    await waitFor(() => ctx.echoApp.controller.calls.includes(text), 15_000);
    expect(ctx.echoApp.controller.calls.filter((call) => call === text)).toHaveLength(1);
  });

  it('routes each reply to the client instance that called', async () => {
    const other = ctx.otherClient();
    try {
      await other.connect();
      const theirs = other.getService<EchoServiceClient>('EchoService');
      const calls = Array.from({ length: 10 }, (_, i) =>
        Promise.all([firstValueFrom(ctx.echo.echo({ text: `mine-${i}` })), firstValueFrom(theirs.echo({ text: `theirs-${i}` }))]),
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

  it('fails pending calls clearly when a client closes', async () => {
    const client = ctx.otherClient();
    await client.connect();
    const outcome = firstValueFrom(client.getService<EchoServiceClient>('EchoService').echo({ text: 'slow', delayMs: 2_000 })).catch(
      (e: unknown) => e,
    );
    await waitFor(() => client.pendingCount === 1);
    await client.close();
    expect(await outcome).toMatchObject({ code: status.UNAVAILABLE, details: expect.stringMatching(/closed/) as unknown });
  });
}
