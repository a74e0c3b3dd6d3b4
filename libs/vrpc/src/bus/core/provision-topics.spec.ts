import { describe, expect, it } from 'vitest';
import { VrpcBusError } from '../../errors/vrpc-bus.error.js';
import { provisionTopics } from './provision-topics.js';

const notHosted = () => Object.assign(new Error('This server does not host this topic-partition'), { retriable: true });

describe('provisionTopics', () => {
  it('tries again while the cluster elects leaders, then succeeds', async () => {
    let attempts = 0;
    await provisionTopics('kafka', ['a'], () => {
      attempts++;
      return attempts < 3 ? Promise.reject(notHosted()) : Promise.resolve();
    });
    expect(attempts).toBe(3);
  });

  it('fails at once, naming the topics, on an error the client marks final', async () => {
    let attempts = 0;
    const refused = Object.assign(new Error('Replication factor larger than available brokers'), { retriable: false });
    const failing = provisionTopics('kafka', ['a', 'b'], () => {
      attempts++;
      return Promise.reject(new AggregateError([refused]));
    });
    await expect(failing).rejects.toBeInstanceOf(VrpcBusError);
    await expect(failing).rejects.toThrow(/topics a, b could not be provisioned \(the broker refused\)/);
    expect(attempts).toBe(1);
  });

  it('gives up after its bounded time with a clear error', async () => {
    const started = Date.now();
    const failing = provisionTopics('kafka', ['a'], () => Promise.reject(notHosted()), 400);
    await expect(failing).rejects.toThrow(/could not be provisioned \(not done within 400 ms\)/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
