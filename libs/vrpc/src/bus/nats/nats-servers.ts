import type { NatsBusOptions } from './nats-bus-options.interface.js';

/** Servers from the options, else from `VRPC_NATS_SERVERS`, else the local default. */
export function resolveNatsServers(options: NatsBusOptions): string[] {
  const given = typeof options.servers === 'string' ? [options.servers] : options.servers;
  if (given?.length) return given;
  const fromEnv = process.env.VRPC_NATS_SERVERS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return fromEnv?.length ? fromEnv : ['127.0.0.1:4222'];
}
