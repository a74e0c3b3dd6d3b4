import type { ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { deliveryCount } from './rabbitmq-delivery-count.js';
import { RabbitMqBus } from './rabbitmq.bus.js';

const delivered = (headers?: Record<string, unknown>) => ({ properties: { headers } }) as unknown as ConsumeMessage;

describe('deliveryCount (RabbitMQ)', () => {
  it('reads a first delivery, without counting headers, as 1', () => {
    expect(deliveryCount(delivered())).toBe(1);
    expect(deliveryCount(delivered({ 'vrpc-id': 'x' }))).toBe(1);
  });

  it("counts a quorum queue's returns, as x-delivery-count or (RabbitMQ 4.3) x-acquired-count says", () => {
    expect(deliveryCount(delivered({ 'x-delivery-count': 2 }))).toBe(3);
    expect(deliveryCount(delivered({ 'x-delivery-count': 0, 'x-acquired-count': 4 }))).toBe(5);
  });

  it('ignores a counter that is not a count', () => {
    expect(deliveryCount(delivered({ 'x-delivery-count': 'lots', 'x-acquired-count': -3 }))).toBe(1);
  });

  it('declares the capability for quorum queues (the default) and not for classic ones', () => {
    expect(new RabbitMqBus().capabilities.deliveryCount).toBe(true);
    expect(new RabbitMqBus({ queueType: 'quorum' }).capabilities.deliveryCount).toBe(true);
    expect(new RabbitMqBus({ queueType: 'classic' }).capabilities.deliveryCount).toBe(false);
  });
});
