import { describe, expect, it } from 'vitest';
import { MissingPackageError } from './missing-package.error.js';
import { VrpcBusError } from './vrpc-bus.error.js';
import { VrpcConfigError } from './vrpc-config.error.js';
import { ConfigMessages, GatewayMessages, InterceptorMessages, VrpcMessages } from './vrpc.messages.js';

/** Every string of a catalogue, with sample arguments for the functions. */
function texts(catalogue: Record<string, string | ((...args: never[]) => string)>): [string, string][] {
  return Object.entries(catalogue).map(([key, entry]) => [
    key,
    typeof entry === 'string' ? entry : (entry as (...args: unknown[]) => string)('a', ['b']),
  ]);
}

describe('error classes', () => {
  it('VrpcConfigError names the option in its fields and message', () => {
    const error = new VrpcConfigError('topics.replies', 'bad');
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'VrpcConfigError', option: 'topics.replies', message: 'vRPC: topics.replies: bad' });
  });

  it('VrpcBusError names the bus and keeps the cause', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new VrpcBusError('nats', 'cannot connect', { cause });
    expect(error).toMatchObject({ name: 'VrpcBusError', bus: 'nats', message: 'vRPC: nats bus: cannot connect', cause });
  });

  it('MissingPackageError says what to install', () => {
    const error = new MissingPackageError('the Redis task store', ['ioredis']);
    expect(error).toMatchObject({ name: 'MissingPackageError', feature: 'the Redis task store', packages: ['ioredis'] });
    expect(error.message).toBe(
      'vRPC: the Redis task store needs "ioredis", which cannot be loaded; install it in your app: npm install ioredis',
    );
  });
});

describe('message catalogue', () => {
  it('starts every message with the one prefix, except those worded as grpc-js and Nest word them', () => {
    const worded = new Set(['internal', 'serializeFailed', 'parseFailed']);
    const all = [...texts(VrpcMessages), ...texts(GatewayMessages), ...texts(InterceptorMessages)];
    expect(all.filter(([key, text]) => !worded.has(key) && !text.startsWith('vRPC: ')).map(([key]) => key)).toEqual([]);
    expect(all.filter(([key]) => worded.has(key)).every(([, text]) => !text.startsWith('vRPC'))).toBe(true);
  });

  it('leaves the prefix of configuration messages to VrpcConfigError', () => {
    expect(
      texts(ConfigMessages)
        .filter(([, text]) => text.startsWith('vRPC'))
        .map(([key]) => key),
    ).toEqual([]);
  });

  it('has no message twice', () => {
    const all = [...texts(VrpcMessages), ...texts(ConfigMessages), ...texts(GatewayMessages), ...texts(InterceptorMessages)].map(
      ([, text]) => text,
    );
    expect(all.length).toBe(new Set(all).size);
  });
});
