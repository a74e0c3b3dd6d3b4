import { afterEach, describe, expect, it, vi } from 'vitest';

describe('kafkajs', () => {
  afterEach(() => {
    vi.doUnmock('kafkajs');
    vi.resetModules();
  });

  it('is loaded when the Kafka bus connects, not when the library is imported', async () => {
    vi.resetModules();
    vi.doMock('kafkajs', () => {
      throw new Error("Cannot find package 'kafkajs'");
    });
    const library = import('../../index.js');
    await expect(library).resolves.toHaveProperty('KafkaBus');
    const bus = new (await library).KafkaBus({ brokers: ['127.0.0.1:1'] });
    // vitest wraps the error the mock throws: that it surfaces here, on connect, is the point.
    await expect(bus.connect()).rejects.toThrow();
  });
});
