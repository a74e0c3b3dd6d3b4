import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigService } from '@nestjs/config';
import type { VrpcModuleOptions } from '@vrpc/nestjs';
import { parse } from 'yaml';

export const DEMO_ROOT = join(import.meta.dirname, '..');

/** Loads `config.yaml` (or the file named by `VRPC_DEMO_CONFIG`) for `ConfigModule`. */
export function loadYamlConfig(): Record<string, unknown> {
  const file = process.env.VRPC_DEMO_CONFIG ?? join(DEMO_ROOT, 'config.yaml');
  return parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** Maps the YAML's `VRPC` section onto the module options. */
export function vrpcOptionsFromConfig(config: ConfigService): VrpcModuleOptions {
  const brokers = process.env.VRPC_KAFKA_BROKERS?.split(',') ?? config.getOrThrow<string[]>('VRPC.Kafka.Brokers');
  return {
    protos: { protoPath: join(DEMO_ROOT, 'proto', 'greeter.proto'), package: 'demo' },
    bus: config.get<'kafka' | 'memory'>('VRPC.Bus', 'kafka'),
    kafka: { brokers, clientId: config.get<string>('Name', 'vrpc-demo') },
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
