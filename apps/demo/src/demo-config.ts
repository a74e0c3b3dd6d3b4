import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigService } from '@nestjs/config';
import type { VrpcModuleOptions } from '@vrpc/nestjs';
import { parse } from 'yaml';

export const DEMO_ROOT = join(import.meta.dirname, '..');

type BusName = Extract<VrpcModuleOptions['bus'], string>;
const BUSES: readonly BusName[] = ['kafka', 'platformatic-kafka', 'nats', 'rabbitmq', 'memory'];

/** Loads `config.yaml` (or the file named by `VRPC_DEMO_CONFIG`) for `ConfigModule`. */
export function loadYamlConfig(): Record<string, unknown> {
  const file = process.env.VRPC_DEMO_CONFIG ?? join(DEMO_ROOT, 'config.yaml');
  return parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** The bus: `VRPC_DEMO_BUS`, else `VRPC.Bus`, else Kafka; a name the library does not know is an error here. */
export function busFromConfig(config: ConfigService): BusName {
  const name = process.env.VRPC_DEMO_BUS ?? config.get<string>('VRPC.Bus', 'kafka');
  if (!(BUSES as readonly string[]).includes(name)) {
    throw new Error(`demo config: VRPC.Bus is "${name}"; use one of ${BUSES.join(', ')}`);
  }
  return name as BusName;
}

function list(fromEnv: string | undefined): string[] | undefined {
  return fromEnv?.split(',').map((entry) => entry.trim()).filter(Boolean);
}

/** Maps the YAML's `VRPC` section onto the module options. */
export function vrpcOptionsFromConfig(config: ConfigService): VrpcModuleOptions {
  const brokers = list(process.env.VRPC_KAFKA_BROKERS) ?? config.getOrThrow<string[]>('VRPC.Kafka.Brokers');
  return {
    protos: { protoPath: join(DEMO_ROOT, 'proto', 'greeter.proto'), package: 'demo' },
    bus: busFromConfig(config),
    kafka: { brokers, clientId: config.get<string>('Name', 'vrpc-demo') },
    nats: { servers: list(process.env.VRPC_NATS_SERVERS) ?? config.get<string[]>('VRPC.Nats.Servers') },
    rabbitmq: { url: process.env.VRPC_RABBITMQ_URL ?? config.get<string>('VRPC.RabbitMq.Url') },
    topics: {
      requestPrefix: config.get<string>('VRPC.Request.TopicPrefix'),
      requestPartitions: config.get<number>('VRPC.Request.Partitions'),
      replies: config.get<string>('VRPC.Respond.Topic'),
      replyPartitions: config.get<number>('VRPC.Respond.Partitions'),
    },
    groupPrefix: config.get<string>('VRPC.Request.Group'),
    timeoutMs: config.get<number>('VRPC.Timeout'),
    concurrency: config.get<number>('VRPC.Concurrency'),
  };
}
