import { decodeRequest, decodeResponse, encodeRequest } from '@vrpc/nestjs/protocol';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { uniqueName, waitFor } from '../conformance-support.js';
import { ECHO_SERVICE, type RawTopics, type TappedMessage, type VrpcScenarioContext } from './scenario-context.js';

/** The names of vRPC's own headers on a message (trace headers and the like left out). */
const vrpcHeaders = (message: TappedMessage) => Object.keys(message.headers).filter((name) => name.startsWith('vrpc-'));

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

  it('puts only the call id in the request headers, and keys the reply by it without headers (the default header set)', async () => {
    const requests = await raw.tap(requestTopic());
    const replies = await raw.tap(ctx.options.topics?.replies ?? '');
    await firstValueFrom(ctx.echo.echo({ text: 'headers' }));
    const mine = (m: TappedMessage) => decodeRequest(m.value).payload.toString().includes('headers');
    await waitFor(() => requests.some(mine));
    const request = requests.find(mine);
    const id = request?.headers['vrpc-id'];
    // The call id: 128 random bits in base64url, the same as the envelope's.
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(decodeRequest(request!.value).requestId).toBe(id);
    expect(vrpcHeaders(request!)).toEqual(['vrpc-id']);
    await waitFor(() => replies.some((m) => m.key === id));
    const reply = replies.find((m) => m.key === id);
    expect(decodeResponse(reply!.value).requestId).toBe(id);
    expect(vrpcHeaders(reply!)).toEqual([]);
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
