import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../bus/bus.interface.js';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { decodeRequest, encodeResponse } from '../protocol/envelope.js';
import { requestTopic } from '../protocol/topic-names.js';
import { VrpcClient } from './vrpc-client.js';

const SERVICE = 'demo.EchoService';

describe('VrpcClient telemetry without a registered SDK', () => {
  it('writes no trace context in the headers or the metadata', async () => {
    const bus = new MemoryBus();
    const seen: IncomingMessage[] = [];
    await bus.connect();
    await bus.ensureTopics([{ topic: requestTopic(SERVICE), partitions: 1 }]);
    await bus.subscribe({ topics: [requestTopic(SERVICE)], group: 'fake', concurrency: 1 }, async (message) => {
      seen.push(message);
      const envelope = decodeRequest(message.value);
      const value = encodeResponse({
        requestId: envelope.requestId,
        payload: envelope.payload,
        statusCode: 0,
        errorMessage: '',
        metadata: {},
        timestamp: 0,
      });
      await bus.publish([{ topic: envelope.replyTo, partition: envelope.replyPartition, key: envelope.requestId, value, headers: {} }]);
    });
    const client = new VrpcClient({ client: { timeoutMs: 2_000 } }, bus);
    try {
      await firstValueFrom(client.callRaw(SERVICE, 'Echo', Buffer.from('hi')));
    } finally {
      await client.close();
    }
    expect(Object.keys(seen[0].headers)).not.toContain('traceparent');
    expect(decodeRequest(seen[0].value).metadata).toEqual({});
  });
});
