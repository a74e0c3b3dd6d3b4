import { coalescingSender } from '../coalescing-sender.js';
import type { BenchClient } from '../contender.js';
import { PendingCalls } from '../pending-calls.js';
import type { RawPlatformaticConsumer, RawPlatformaticProducer } from './raw-platformatic.tuning.js';
import type { RawPlatformaticWire } from './raw-platformatic.wire.js';

export interface RawPlatformaticClientNames {
  replyTopic: string;
}

/**
 * The floor's client, as the kafkajs floor's: the request goes out at once (or with those
 * queued behind a send under way), keyed by its correlation id; a consumer reads the reply
 * topic (fresh for the run, so from its beginning) and completes the call.
 */
export async function startRawPlatformaticClient(
  producer: RawPlatformaticProducer,
  consumer: RawPlatformaticConsumer,
  names: RawPlatformaticClientNames,
  wire: RawPlatformaticWire,
): Promise<BenchClient> {
  const pending = new PendingCalls();
  // Resolves once the consumer has joined its group.
  const stream = await consumer.consume({ topics: [names.replyTopic], mode: 'earliest', autocommit: false });
  stream.on('data', (message: Parameters<RawPlatformaticWire['readReply']>[0]) => {
    const { id, reply } = wire.readReply(message);
    pending.answer(id, reply);
  });

  const send = coalescingSender((messages: ReturnType<RawPlatformaticWire['request']>['message'][]) =>
    producer.send({ messages }).then(() => undefined),
  );
  return {
    call: (request) => {
      const { id, message } = wire.request(request);
      return pending.call(id, () => send(message));
    },
    close: async () => {
      await stream.close();
      await consumer.close();
      await producer.close();
    },
  };
}
