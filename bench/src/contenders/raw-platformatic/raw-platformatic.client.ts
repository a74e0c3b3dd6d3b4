import type { EchoReply } from '../../shared/echo.js';
import { coalescingSender } from '../coalescing-sender.js';
import type { BenchClient } from '../contender.js';
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
  const waiting = new Map<string, (reply: EchoReply) => void>();
  // Resolves once the consumer has joined its group.
  const stream = await consumer.consume({ topics: [names.replyTopic], mode: 'earliest', autocommit: false });
  stream.on('data', (message: Parameters<RawPlatformaticWire['readReply']>[0]) => {
    const { id, reply } = wire.readReply(message);
    const resolve = waiting.get(id);
    if (!resolve) return;
    waiting.delete(id);
    resolve(reply);
  });

  const send = coalescingSender((messages: ReturnType<RawPlatformaticWire['request']>['message'][]) =>
    producer.send({ messages }).then(() => undefined),
  );
  return {
    call: (request) =>
      new Promise<EchoReply>((resolve, reject) => {
        const { id, message } = wire.request(request);
        waiting.set(id, resolve);
        send(message).catch((error: Error) => {
          waiting.delete(id);
          reject(error);
        });
      }),
    close: async () => {
      await stream.close();
      await consumer.close();
      await producer.close();
    },
  };
}
