import { type Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CalcResult, CalculatorServer, loadCalculatorPackage, unary } from '@vrpc/test-support';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { createVrpcInterceptor, type VrpcInterceptor } from '../interceptor/create-vrpc-interceptor.js';
import type { VrpcSecurityOptions } from '../protocol/security-options.interface.js';
import { VrpcGateway } from './vrpc-gateway.js';

const CALCULATOR = 'vrpc.calc.Calculator';
const KEYS: VrpcSecurityOptions = { keys: { gw: 'gateway-key-0123456789abcdef' }, signWith: 'gw' };

describe('VrpcGateway and the interceptor with signed envelopes', () => {
  const bus = new MemoryBus();
  const target = new CalculatorServer('target');
  let gateway: VrpcGateway;
  const interceptors: VrpcInterceptor[] = [];
  const clients: Client[] = [];

  /** A grpc-js Calculator client whose calls go over vRPC through an interceptor with `security`. */
  function calculator(security: VrpcSecurityOptions | undefined, timeoutMs = 5_000): Client {
    const interceptor = createVrpcInterceptor({ vrpc: { bus, security, client: { timeoutMs } } });
    interceptors.push(interceptor);
    const { Calculator } = loadCalculatorPackage();
    // Nothing listens on port 1: a call that reached the channel would fail.
    const client = new Calculator('127.0.0.1:1', credentials.createInsecure(), { interceptors: [interceptor] });
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    await target.start(0);
    gateway = new VrpcGateway({ targets: { [CALCULATOR]: target.address }, security: KEYS }, bus);
    await gateway.start();
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(interceptors.map((interceptor) => interceptor.close()));
    await gateway.close();
    await bus.close();
    target.stop();
  });

  it('forwards a call signed with a listed key, and the interceptor accepts the signed reply', async () => {
    const reply = await unary<CalcResult>(calculator(KEYS), 'add', { a: 2, b: 3 }, new Metadata()).result;
    expect(reply).toMatchObject({ value: 5, servedBy: 'target' });
  });

  it('answers an unsigned call UNAUTHENTICATED without forwarding it', async () => {
    const before = target.calls.length;
    const error = await unary(calculator(undefined), 'add', { a: 1, b: 1 }, new Metadata()).result.then(
      () => expect.fail('the call succeeded'),
      (thrown: unknown) => thrown as ServiceError,
    );
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(target.calls.length).toBe(before);
  });

  it('refuses a call signed with another key; the caller cannot check the unsigned refusal and waits to its deadline', async () => {
    const before = target.calls.length;
    const other = calculator({ keys: { gw: 'some-other-key-0123456789' }, signWith: 'gw' }, 500);
    const error = await unary(other, 'add', { a: 1, b: 2 }, new Metadata()).result.then(
      () => expect.fail('the call succeeded'),
      (thrown: unknown) => thrown as ServiceError,
    );
    expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    expect(target.calls.length).toBe(before);
  });
});
