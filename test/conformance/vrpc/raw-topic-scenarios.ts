import { decodeRequest, encodeRequest } from '@vrpc/nestjs/protocol';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { uniqueName, waitFor } from '../conformance-support.js';
import { ECHO_SERVICE, type RawTopics, type VrpcScenarioContext } from './scenario-context.js';

/** What vRPC writes to and reads from the broker's topics, seen from beside it. */
export function rawTopicScenarios(ctx: VrpcScenarioContext, open: () => RawTopics): void {
  let raw: RawTopics;
  const requestTopic = () => `${ctx.options.topics?.requestPrefix}${ECHO_SERVICE}`;

  beforeAll(() => {
    raw = open();
  });

  afterAll(async () => {
    await raw?.close();
  });

  it('puts id, service and method in the request headers', async () => {
    const seen = await raw.tap(requestTopic());
    await firstValueFrom(ctx.echo.echo({ text: 'headers' }));
    await waitFor(() => seen.some((m) => m.headers['vrpc-method'] === 'Echo'));
    const request = seen.find((m) => m.headers['vrpc-method'] === 'Echo');
    expect(request?.headers['vrpc-service']).toBe(ECHO_SERVICE);
    // The call id: 128 random bits in base64url, the same as the envelope's.
    expect(request?.headers['vrpc-id']).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(decodeRequest(request!.value).requestId).toBe(request?.headers['vrpc-id']);
  });

  it('does not run a request whose deadline has passed', async () => {
    await ctx.echoApp.client.connect();
    const expired = encodeRequest({
      requestId: uniqueName('expired'),
      serviceName: ECHO_SERVICE,
      methodName: 'Echo',
      payload: Buffer.from([0x0a, 0x07, ...Buffer.from('expired')]),
      metadata: {},
      timestamp: Date.now() - 10_000,
      timeoutMs: 1_000,
      clientId: 'test',
      replyTo: '',
      deadline: Date.now() - 9_000,
      taskKey: 'ordering-key',
      attempt: 0,
      oneWay: true,
    });
    await raw.produce(requestTopic(), { key: 'ordering-key', value: expired });
    // Same key, same partition, served in order: once this returns, the expired one was seen.
    await firstValueFrom(ctx.echo.echo({ text: 'after expired' }, undefined, { taskKey: 'ordering-key' }));
    expect(ctx.echoApp.controller.calls).toContain('after expired');
    expect(ctx.echoApp.controller.calls).not.toContain('expired');
  });

  it('dead-letters an unreadable message and keeps serving its partition', async () => {
    const dead = await raw.tap(ctx.options.topics?.deadLetter ?? '');
    await raw.produce(requestTopic(), { key: 'poison-key', value: Buffer.from('not an envelope') });
    const reply = await firstValueFrom(ctx.echo.echo({ text: 'after poison' }, undefined, { taskKey: 'poison-key' }));
    expect(reply.text).toBe('after poison');
    await waitFor(() => dead.length > 0);
    expect(dead[0].value.toString()).toBe('not an envelope');
    expect(dead[0].headers['vrpc-dead-reason']).toMatch(/unreadable envelope/);
  });
}
