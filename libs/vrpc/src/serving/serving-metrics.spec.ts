import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusInbox, BusSubscription, InboxOptions, IncomingMessage, MessageHandler, SubscribeOptions } from '../bus/bus.interface.js';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { encodeRequest } from '../protocol/envelope.js';
import { VrpcTelemetry } from '../telemetry/vrpc-telemetry.js';
import { OtelSdkFake } from './otel-sdk.fake.js';
import { errorReply, okReply } from './reply.factory.js';
import { RequestTopicsServer } from './request-topics-server.js';
import { StreamInbox } from './stream-inbox.js';
import type { StreamSessions } from './stream-sessions.js';

/** The memory bus, with the lag a Kafka bus would report: 7 behind on each request topic, 3 in each inbox. */
class LaggingBus extends MemoryBus {
  override readonly system = 'kafka';
  /** Times a lag was asked for. */
  asked = 0;

  override async subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<BusSubscription> {
    const subscription = await super.subscribe(options, handler);
    return {
      ...subscription,
      lag: () => Promise.resolve(this.asked++).then(() => options.topics.map((topic) => ({ topic, partition: 0, lag: 7 }))),
    };
  }

  override async openInbox(instanceId: string, topic: string, handler: MessageHandler, options?: InboxOptions): Promise<BusInbox> {
    const inbox = await super.openInbox(instanceId, topic, handler, options);
    return {
      ...inbox,
      address: inbox.address,
      lag: () => Promise.resolve(this.asked++).then(() => [{ topic, partition: inbox.address.partition ?? 0, lag: 3 }]),
    };
  }
}

describe('serving metrics: consumer lag and dropped stream frames (real SDK in-process)', () => {
  let sdk: OtelSdkFake;

  beforeAll(() => {
    sdk = new OtelSdkFake();
  });
  afterAll(async () => {
    await sdk.shutdown();
  });

  it('reports the lag of each request topic (role server, its group) and of the stream inbox (role streams) until closed', async () => {
    const bus = new LaggingBus();
    const server = new RequestTopicsServer({ bus, topics: { requestPrefix: 'lag.req.', streams: 'lag.streams' }, name: 'VrpcServer' });
    await server.start(['spec.Lag'], (envelope) => Promise.resolve(okReply(envelope, Buffer.alloc(0))), undefined, {
      instanceId: 'server-lag-1',
      execute: (envelope) => errorReply(envelope, { code: 12, message: 'no streams' }),
    });
    const lag = async () => (await sdk.points('vrpc.consumer.lag')).map(({ attributes, value }) => ({ ...attributes, value }));
    const points = await lag();
    expect(points).toContainEqual({
      'messaging.destination.name': 'lag.req.spec.Lag',
      'messaging.destination.partition.id': '0',
      'messaging.consumer.group.name': 'vrpc.spec.Lag',
      'vrpc.role': 'server',
      value: 7,
    });
    expect(points).toContainEqual(
      expect.objectContaining({
        'messaging.destination.name': 'lag.streams',
        'messaging.consumer.group.name': 'server-lag-1',
        'vrpc.role': 'streams',
        value: 3,
      }),
    );
    expect(bus.asked).toBe(2);
    await server.close();
    await bus.close();
    // The SDK keeps a gauge's last points; what shows the sources are gone is that none is asked again.
    await lag();
    expect(bus.asked).toBe(2);
  });

  it('counts the frames a stream inbox drops, by reason word', async () => {
    const telemetry = new VrpcTelemetry('kafka');
    const sessions = { get: () => undefined, setInbox: () => undefined } as unknown as StreamSessions;
    const inbox = new StreamInbox(new MemoryBus(), sessions, new Logger('spec', { timestamp: false }), undefined, telemetry);
    const frame = (value: Buffer): IncomingMessage => ({ topic: 'streams', partition: 0, offset: '1', key: null, value, headers: {} });
    const labels = (reason: string) => ({ 'messaging.system': 'kafka', 'vrpc.reason': reason });
    const unreadable = await sdk.count('vrpc.server.frames.dropped', labels('unreadable'));
    const noFrame = await sdk.count('vrpc.server.frames.dropped', labels('no-frame'));
    inbox.handle(frame(Buffer.from([0xff, 0xff, 0xff])));
    const request = {
      requestId: 'x',
      serviceName: 's.S',
      methodName: 'M',
      payload: Buffer.alloc(0),
      metadata: {},
      timestamp: 0,
      timeoutMs: 0,
      clientId: 'c',
      replyTo: 'r',
      deadline: 0,
      taskKey: '',
      attempt: 0,
      oneWay: false,
    };
    inbox.handle(frame(encodeRequest(request)));
    expect(await sdk.count('vrpc.server.frames.dropped', labels('unreadable'))).toBe(unreadable + 1);
    expect(await sdk.count('vrpc.server.frames.dropped', labels('no-frame'))).toBe(noFrame + 1);
    await inbox.close();
  });
});
