import { Controller, type Type } from '@nestjs/common';
import { type ClientKafka, ClientsModule, type KafkaOptions, MessagePattern, Payload, Transport } from '@nestjs/microservices';
import type { Observable } from 'rxjs';
import { runNames, type RunConfig } from '../../config/run-config.js';
import { type Item, type StreamRequest, streamItems } from '../../shared/stream-items.js';
import { benchModule, startContext, startMicroservice } from '../nest-apps.js';
import type { StreamContender } from './stream-contender.js';

const KAFKA_CLIENT = Symbol('KAFKA_STREAM_CLIENT');

/** As the unary Nest Kafka contender: the docs' configuration, everything else Nest's and kafkajs' default. */
function kafkaOptions(config: RunConfig): KafkaOptions['options'] {
  const names = runNames(config).nestKafkaStreams;
  return { client: { clientId: names.clientId, brokers: config.brokers }, consumer: { groupId: names.groupId } };
}

/**
 * A `@MessagePattern` returning an Observable: Nest's Kafka transport sends each value as its
 * own reply message, the last flagged disposed. The pattern is unique to the run.
 */
function streamController(pattern: string): Type {
  @Controller()
  class NestKafkaStreamController {
    @MessagePattern(pattern)
    stream(@Payload() request: StreamRequest): Observable<Item> {
      return streamItems(request);
    }
  }
  return NestKafkaStreamController;
}

/** Nest's Kafka transport: `ClientKafka.send()` → `ServerKafka`; it has no client streams, so no echo. */
export const nestKafkaStreams: StreamContender = {
  async startServer(config) {
    const app = await startMicroservice(benchModule({ controllers: [streamController(runNames(config).nestKafkaStreams.pattern)] }), {
      transport: Transport.KAFKA,
      options: kafkaOptions(config),
    });
    return { close: () => app.close() };
  },

  async startClient(config) {
    const { pattern } = runNames(config).nestKafkaStreams;
    const app = await startContext(
      benchModule({
        imports: [ClientsModule.register([{ name: KAFKA_CLIENT, transport: Transport.KAFKA, options: kafkaOptions(config) }])],
      }),
    );
    const client = app.get<ClientKafka>(KAFKA_CLIENT);
    client.subscribeToResponseOf(pattern);
    await client.connect();
    return {
      serverStream: (request) => client.send<Item, StreamRequest>(pattern, request),
      close: () => app.close(),
    };
  },
};
