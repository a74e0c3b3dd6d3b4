import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { VrpcConfigError } from '../errors/vrpc-config.error.js';
import { DEFAULT_STREAM_WINDOW } from '../streaming/stream-settings.js';
import { clientStreamSettings } from './client-stream-settings.js';
import { VrpcClient } from './vrpc-client.js';

describe('client.streams', () => {
  it('fills in the defaults and keeps what is given', () => {
    expect(clientStreamSettings(undefined).window).toBe(DEFAULT_STREAM_WINDOW);
    expect(clientStreamSettings({ window: 8, livenessMs: 900 })).toMatchObject({ window: 8, livenessMs: 900 });
  });

  it.each([
    ['window', 0],
    ['maxBufferedBytes', -1],
    ['heartbeatMs', 1.5],
    ['livenessMs', Number.NaN],
  ])('refuses %s = %s with a VrpcConfigError naming the option', (key, value) => {
    const make = () => new VrpcClient({ client: { streams: { [key]: value } } }, new MemoryBus());
    expect(make).toThrow(VrpcConfigError);
    expect(make).toThrow(`client.streams.${key}`);
  });
});
