import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VrpcBusConfig } from '@vrpc/nestjs';
import type { VrpcGatewayOptions } from '@vrpc/nestjs/gateway';
import { parse } from 'yaml';

export const GATEWAY_ROOT = join(import.meta.dirname, '..');

/** Where the health endpoint listens. */
export interface HealthEndpoint {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Largest lag (messages) on any partition before /health answers 503; none by default. */
  maxLag?: number;
}

/** Everything the gateway app needs, read from the YAML file and the environment. */
export interface GatewayConfig {
  name: string;
  gateway: VrpcGatewayOptions;
  /** Absent: no health endpoint. */
  health?: HealthEndpoint;
}

type Env = Record<string, string | undefined>;

function fail(message: string): never {
  throw new Error(`gateway config: ${message}`);
}

function section(value: unknown, path: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) fail(`${path} must be a map`);
  return value as Record<string, unknown>;
}

function optionalNumber(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) fail(`${path} must be a number`);
  return number;
}

function optionalStrings(value: unknown, path: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) fail(`${path} must be a list of "host:port"`);
  return value;
}

function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(`${path} must be a string`);
  return value;
}

/** `package.Service=host:port,…` as a map. */
function parseTargetList(list: string): Record<string, string> {
  const targets: Record<string, string> = {};
  for (const entry of list
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const at = entry.indexOf('=');
    if (at <= 0 || at === entry.length - 1) fail(`VRPC_GATEWAY_TARGETS entry "${entry}" is not package.Service=host:port`);
    targets[entry.slice(0, at).trim()] = entry.slice(at + 1).trim();
  }
  return targets;
}

function targetsFrom(file: Record<string, unknown>, env: Env): Record<string, string> {
  const targets: Record<string, string> = {};
  for (const [service, address] of Object.entries(section(file, 'Gateway.Targets'))) {
    if (typeof address !== 'string' || !address) fail(`Gateway.Targets.${service} must be "host:port"`);
    targets[service] = address;
  }
  Object.assign(targets, env.VRPC_GATEWAY_TARGETS ? parseTargetList(env.VRPC_GATEWAY_TARGETS) : {});
  if (Object.keys(targets).length === 0) fail('no targets: set Gateway.Targets or VRPC_GATEWAY_TARGETS');
  return targets;
}

function healthFrom(file: Record<string, unknown>, env: Env): HealthEndpoint | undefined {
  const port = optionalNumber(env.VRPC_GATEWAY_HEALTH_PORT ?? file.Port, 'Gateway.Health.Port');
  if (!port) return undefined;
  const maxLag = optionalNumber(env.VRPC_GATEWAY_HEALTH_MAX_LAG ?? file.MaxLag, 'Gateway.Health.MaxLag');
  return { host: optionalString(file.Host, 'Gateway.Health.Host') ?? '127.0.0.1', port, ...(maxLag === undefined ? {} : { maxLag }) };
}

function list(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** `VRPC.Bus` (default kafka) with its section; `Name` names the connection. */
function busFrom(vrpc: Record<string, unknown>, name: string, env: Env): VrpcBusConfig {
  const type = optionalString(env.VRPC_GATEWAY_BUS ?? vrpc.Bus, 'VRPC.Bus') ?? 'kafka';
  switch (type) {
    case 'kafka':
    case 'platformatic-kafka': {
      const kafka = section(vrpc.Kafka, 'VRPC.Kafka');
      return { type, clientId: name, brokers: list(env.VRPC_KAFKA_BROKERS) ?? optionalStrings(kafka.Brokers, 'VRPC.Kafka.Brokers') };
    }
    case 'nats': {
      const nats = section(vrpc.Nats, 'VRPC.Nats');
      return { type, clientId: name, servers: list(env.VRPC_NATS_SERVERS) ?? optionalStrings(nats.Servers, 'VRPC.Nats.Servers') };
    }
    case 'rabbitmq': {
      const rabbitmq = section(vrpc.RabbitMq, 'VRPC.RabbitMq');
      return { type, url: env.VRPC_RABBITMQ_URL ?? optionalString(rabbitmq.Url, 'VRPC.RabbitMq.Url') };
    }
    default:
      fail(`VRPC.Bus is "${type}"; use kafka, platformatic-kafka, nats or rabbitmq`);
  }
}

/** Maps a parsed YAML document (see config.yaml) and the environment onto the app's config. */
export function gatewayConfigFrom(document: unknown, env: Env = process.env): GatewayConfig {
  const root = section(document, 'the document');
  const gateway = section(root.Gateway, 'Gateway');
  const vrpc = section(root.VRPC, 'VRPC');
  const request = section(vrpc.Request, 'VRPC.Request');
  const respond = section(vrpc.Respond, 'VRPC.Respond');
  const name = optionalString(root.Name, 'Name') ?? 'vrpc-gateway';
  const backoffMax = optionalNumber(gateway.ReconnectBackoffMaxMs, 'Gateway.ReconnectBackoffMaxMs');
  return {
    name,
    health: healthFrom(section(gateway.Health, 'Gateway.Health'), env),
    gateway: {
      targets: targetsFrom(section(gateway.Targets, 'Gateway.Targets'), env),
      concurrency: optionalNumber(gateway.Concurrency, 'Gateway.Concurrency'),
      bus: busFrom(vrpc, name, env),
      groupPrefix: optionalString(request.Group, 'VRPC.Request.Group'),
      topics: {
        requestPrefix: optionalString(request.TopicPrefix, 'VRPC.Request.TopicPrefix'),
        requestPartitions: optionalNumber(request.Partitions, 'VRPC.Request.Partitions'),
        replies: optionalString(respond.Topic, 'VRPC.Respond.Topic'),
        replyPartitions: optionalNumber(respond.Partitions, 'VRPC.Respond.Partitions'),
        deadLetter: optionalString(vrpc.DeadLetterTopic, 'VRPC.DeadLetterTopic'),
      },
      channelOptions: backoffMax === undefined ? undefined : { 'grpc.max_reconnect_backoff_ms': backoffMax },
    },
  };
}

/** Reads `config.yaml` (or the file named by `VRPC_GATEWAY_CONFIG`) and applies the environment. */
export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  const file = env.VRPC_GATEWAY_CONFIG ?? join(GATEWAY_ROOT, 'config.yaml');
  return gatewayConfigFrom(parse(readFileSync(file, 'utf8')), env);
}
