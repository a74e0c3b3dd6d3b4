import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigService } from '@nestjs/config';
import type { VrpcBusConfig, VrpcBusName, VrpcModuleOptions } from '@vrpc/nestjs';
import { parse } from 'yaml';

export const DEMO_ROOT = join(import.meta.dirname, '..');

const BUSES: readonly VrpcBusName[] = ['kafka', 'platformatic-kafka', 'nats', 'rabbitmq', 'memory'];

/** Loads `config.yaml` (or the file named by `VRPC_DEMO_CONFIG`) for `ConfigModule`. */
export function loadYamlConfig(): Record<string, unknown> {
  const file = process.env.VRPC_DEMO_CONFIG ?? join(DEMO_ROOT, 'config.yaml');
  return parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** The bus's name: `VRPC_DEMO_BUS`, else `VRPC.Bus`, else Kafka; a name the library does not know is an error here. */
export function busNameFromConfig(config: ConfigService): VrpcBusName {
  const name = process.env.VRPC_DEMO_BUS ?? config.get<string>('VRPC.Bus', 'kafka');
  if (!(BUSES as readonly string[]).includes(name)) {
    throw new Error(`demo config: VRPC.Bus is "${name}"; use one of ${BUSES.join(', ')}`);
  }
  return name as VrpcBusName;
}

function list(fromEnv: string | undefined): string[] | undefined {
  return fromEnv
    ?.split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** The chosen bus with its section of the YAML (`VRPC.Kafka`, `VRPC.Nats`, `VRPC.RabbitMq`); `Name` names the connection. */
export function busFromConfig(config: ConfigService): VrpcBusConfig {
  const clientId = config.get<string>('Name', 'vrpc-demo');
  const type = busNameFromConfig(config);
  switch (type) {
    case 'kafka':
    case 'platformatic-kafka':
      return { type, clientId, brokers: list(process.env.VRPC_KAFKA_BROKERS) ?? config.getOrThrow<string[]>('VRPC.Kafka.Brokers') };
    case 'nats':
      return { type, clientId, servers: list(process.env.VRPC_NATS_SERVERS) ?? config.get<string[]>('VRPC.Nats.Servers') };
    case 'rabbitmq':
      return { type, url: process.env.VRPC_RABBITMQ_URL ?? config.get<string>('VRPC.RabbitMq.Url') };
    case 'memory':
      return { type };
  }
}

/** Maps the YAML's `VRPC` section onto the module options. */
export function vrpcOptionsFromConfig(config: ConfigService): VrpcModuleOptions {
  return {
    protos: { protoPath: join(DEMO_ROOT, 'proto', 'greeter.proto'), package: 'demo' },
    bus: busFromConfig(config),
    topics: {
      requestPrefix: config.get<string>('VRPC.Request.TopicPrefix'),
      requestPartitions: config.get<number>('VRPC.Request.Partitions'),
      replies: config.get<string>('VRPC.Respond.Topic'),
      replyPartitions: config.get<number>('VRPC.Respond.Partitions'),
    },
    client: { timeoutMs: config.get<number>('VRPC.Timeout') },
    server: { groupPrefix: config.get<string>('VRPC.Request.Group'), concurrency: config.get<number>('VRPC.Concurrency') },
  };
}
