import { Controller, type Type } from '@nestjs/common';
import { type ClientKafka, ClientsModule, type KafkaOptions, MessagePattern, Payload, Transport } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { runNames, type RunConfig } from '../../config/run-config.js';
import { echo, type EchoReply, type EchoRequest } from '../../shared/echo.js';
import type { Contender } from '../contender.js';
import { benchModule, startContext, startMicroservice } from '../nest-apps.js';

const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');

/**
 * Nest's Kafka transport configured as https://docs.nestjs.com/microservices/kafka shows:
 * `client: { clientId, brokers }` and `consumer: { groupId }`; Nest suffixes them with
 * `-client` / `-server` itself. Everything else is Nest's and kafkajs' default.
 */
function kafkaOptions(config: RunConfig): KafkaOptions['options'] {
  const names = runNames(config).nestKafka;
  return { client: { clientId: names.clientId, brokers: config.brokers }, consumer: { groupId: names.groupId } };
}

/** The request topic is the message pattern, unique to the run, so the controller is made per run. */
function echoController(pattern: string): Type {
  @Controller()
  class NestKafkaEchoController {
    @MessagePattern(pattern)
    echo(@Payload() request: EchoRequest): EchoReply {
      return echo(request);
    }
  }
  return NestKafkaEchoController;
}

/** Nest's own request/reply over Kafka: `ClientKafka.send()` → `ServerKafka` `@MessagePattern`. */
export const nestKafkaContender: Contender = {
  async startServer(config) {
    const app = await startMicroservice(benchModule({ controllers: [echoController(runNames(config).nestKafka.pattern)] }), {
      transport: Transport.KAFKA,
      options: kafkaOptions(config),
    });
    return { close: () => app.close() };
  },

  async startClient(config) {
    const { pattern } = runNames(config).nestKafka;
    const app = await startContext(
      benchModule({
        imports: [ClientsModule.register([{ name: KAFKA_CLIENT, transport: Transport.KAFKA, options: kafkaOptions(config) }])],
      }),
    );
    const client = app.get<ClientKafka>(KAFKA_CLIENT);
    // As the docs say: subscribe to the reply topic of each pattern, then connect.
    client.subscribeToResponseOf(pattern);
    await client.connect();
    return {
      call: (request) => firstValueFrom(client.send<EchoReply, EchoRequest>(pattern, request)),
      close: () => app.close(),
    };
  },
};
