import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GATEWAY_ROOT, gatewayConfigFrom, loadGatewayConfig } from './gateway-config.js';

describe('gateway config', () => {
  it('reads the shipped config.yaml', () => {
    const config = loadGatewayConfig({ VRPC_GATEWAY_CONFIG: join(GATEWAY_ROOT, 'config.yaml') });
    expect(config.gateway.targets).toEqual({ 'demo.Greeter': '127.0.0.1:50051' });
    expect(config.gateway.topics).toMatchObject({ requestPrefix: 'demo.req.', replies: 'demo.replies' });
    expect(config.gateway.groupPrefix).toBe('demo.');
    expect(config.gateway.bus).toEqual({ type: 'kafka', clientId: 'vrpc-gateway', brokers: ['127.0.0.1:19092'] });
    expect(config.health).toEqual({ host: '127.0.0.1', port: 8081 });
  });

  it('lets the environment add targets, name brokers and turn health off', () => {
    const config = gatewayConfigFrom(
      { Gateway: { Targets: { 'a.One': 'h1:1' }, Health: { Port: 9000 } } },
      { VRPC_GATEWAY_TARGETS: 'a.One=h2:2, b.Two=h3:3', VRPC_KAFKA_BROKERS: 'k1:9092,k2:9092', VRPC_GATEWAY_HEALTH_PORT: '0' },
    );
    expect(config.gateway.targets).toEqual({ 'a.One': 'h2:2', 'b.Two': 'h3:3' });
    expect(config.gateway.bus).toMatchObject({ type: 'kafka', brokers: ['k1:9092', 'k2:9092'] });
    expect(config.health).toBeUndefined();
  });

  it('takes a lag limit for /health from the file or the environment', () => {
    const document = { Gateway: { Targets: { 'a.One': 'h1:1' }, Health: { Port: 8081, MaxLag: 50 } } };
    expect(gatewayConfigFrom(document, {}).health?.maxLag).toBe(50);
    expect(gatewayConfigFrom(document, { VRPC_GATEWAY_HEALTH_MAX_LAG: '7' }).health?.maxLag).toBe(7);
  });

  it('takes any bus: VRPC.Bus with its section, or VRPC_GATEWAY_BUS', () => {
    const targets = { 'a.One': 'h1:1' };
    const nats = gatewayConfigFrom(
      { Name: 'gw', Gateway: { Targets: targets }, VRPC: { Bus: 'nats', Nats: { Servers: ['n1:4222'] } } },
      {},
    );
    expect(nats.gateway.bus).toEqual({ type: 'nats', clientId: 'gw', servers: ['n1:4222'] });
    const rabbitmq = gatewayConfigFrom(
      { Gateway: { Targets: targets } },
      { VRPC_GATEWAY_BUS: 'rabbitmq', VRPC_RABBITMQ_URL: 'amqp://r:5672' },
    );
    expect(rabbitmq.gateway.bus).toEqual({ type: 'rabbitmq', url: 'amqp://r:5672' });
    expect(() => gatewayConfigFrom({ Gateway: { Targets: targets }, VRPC: { Bus: 'mqtt' } }, {})).toThrow(/VRPC.Bus is "mqtt"/);
  });

  it('says what is wrong with a bad file', () => {
    expect(() => gatewayConfigFrom({}, {})).toThrow(/no targets/);
    expect(() => gatewayConfigFrom({ Gateway: { Targets: { 'a.One': 5 } } }, {})).toThrow(/Gateway.Targets.a.One/);
    expect(() => gatewayConfigFrom({ Gateway: { Targets: {} } }, { VRPC_GATEWAY_TARGETS: 'oops' })).toThrow(/package.Service=host:port/);
    expect(() => gatewayConfigFrom({ Gateway: { Targets: { 'a.One': 'h:1' }, Concurrency: 'many' } }, {})).toThrow(/Concurrency/);
  });
});
