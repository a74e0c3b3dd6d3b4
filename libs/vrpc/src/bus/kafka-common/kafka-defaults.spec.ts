import { afterEach, describe, expect, it, vi } from 'vitest';
import { VrpcConfigError } from '../../errors/vrpc-config.error.js';
import { KAFKA_DEFAULTS, canWriteZstd, heartbeatIntervalMs, withKafkaDefaults, type ResolvedKafkaOptions } from './kafka-defaults.js';

describe('withKafkaDefaults', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('fills in one set of defaults, for options left out or given as undefined', () => {
    vi.stubEnv('VRPC_KAFKA_BROKERS', '');
    const expected = { ...KAFKA_DEFAULTS, brokers: ['127.0.0.1:9092'] };
    expect(withKafkaDefaults({})).toEqual(expected);
    expect(withKafkaDefaults({ clientId: undefined, sessionTimeoutMs: undefined })).toEqual(expected);
    expect(KAFKA_DEFAULTS.sessionTimeoutMs).toBe(10_000);
  });

  it('keeps what is given', () => {
    const given: ResolvedKafkaOptions = {
      brokers: ['b:9092'],
      clientId: 'billing',
      acks: 1,
      sessionTimeoutMs: 30_000,
      maxWaitTimeMs: 50,
      commitIntervalMs: 20,
      compression: 'lz4',
      maxMessageBytes: 500_000,
    };
    expect(withKafkaDefaults(given)).toEqual(given);
  });

  it('compresses nothing by default, and refuses a codec it cannot write', () => {
    expect(withKafkaDefaults({}).compression).toBe('none');
    expect(() => withKafkaDefaults({ compression: 'brotli' as never })).toThrow(VrpcConfigError);
    if (canWriteZstd()) expect(withKafkaDefaults({ compression: 'zstd' }).compression).toBe('zstd');
    else expect(() => withKafkaDefaults({ compression: 'zstd' })).toThrow(/compression: zstd cannot be written on Node/);
  });

  it('heartbeats at least five times per session, at most every 3 s', () => {
    expect(heartbeatIntervalMs(10_000)).toBe(2_000);
    expect(heartbeatIntervalMs(60_000)).toBe(3_000);
  });
});
