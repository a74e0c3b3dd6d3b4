import { type Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CalcResult,
  type CalcSummary,
  CALCULATOR_PROTO_PATH,
  CalculatorServer,
  loadCalculatorPackage,
  unary,
  waitFor,
} from '@vrpc/test-support';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { VrpcClient } from '../client/vrpc-client.js';
import { createVrpcInterceptor } from '../interceptor/create-vrpc-interceptor.js';
import { VrpcGateway } from './vrpc-gateway.js';

const CALCULATOR = 'vrpc.calc.Calculator';

/** Resolves with the error a call failed with; fails the test if it succeeded. */
function failure(result: Promise<unknown>): Promise<ServiceError> {
  return result.then(
    () => expect.fail('the call succeeded'),
    (error: unknown) => error as ServiceError,
  );
}

describe('VrpcGateway and the client interceptor on the in-memory bus', () => {
  const bus = new MemoryBus();
  const target = new CalculatorServer('target');
  let gateway: VrpcGateway;
  let vrpc: VrpcClient;
  let viaVrpc: Client;
  let direct: Client;

  beforeAll(async () => {
    await target.start(0);
    gateway = new VrpcGateway({ targets: { [CALCULATOR]: target.address } }, bus);
    await gateway.start();
    vrpc = new VrpcClient({ protos: { protoPath: CALCULATOR_PROTO_PATH, package: 'vrpc.calc' }, client: { timeoutMs: 5_000 } }, bus);
    const { Calculator } = loadCalculatorPackage();
    // Nothing listens on port 1: a call that reached the channel would fail.
    viaVrpc = new Calculator('127.0.0.1:1', credentials.createInsecure(), { interceptors: [createVrpcInterceptor(vrpc)] });
    direct = new Calculator(target.address, credentials.createInsecure());
  });

  afterAll(async () => {
    viaVrpc.close();
    direct.close();
    await gateway.close();
    await vrpc.close();
    await bus.close();
    target.stop();
  });

  it('forwards raw payloads: replies equal a direct call', async () => {
    const request = { values: [3, 1.5, -2], labels: { unit: 'm' } };
    const [forwarded, straight] = await Promise.all([
      unary<CalcSummary>(viaVrpc, 'stats', request, new Metadata()).result,
      unary<CalcSummary>(direct, 'stats', request, new Metadata()).result,
    ]);
    expect(forwarded).toEqual(straight);
    expect(forwarded).toMatchObject({ count: 3, sum: 2.5, labels: { unit: 'm' }, servedBy: 'target' });
  });

  it('returns the target status with its trailers, binary values included', async () => {
    const error = await failure(unary(viaVrpc, 'divide', { a: 1, b: 0 }, new Metadata()).result);
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toBe('division by zero');
    expect(error.metadata.get('x-error-field')).toEqual(['b']);
    expect(error.metadata.get('x-error-bin')).toEqual([Buffer.from([0, 1, 2, 255])]);
  });

  it('fails with DEADLINE_EXCEEDED at the call deadline and forgets the call', async () => {
    const started = Date.now();
    const error = await failure(unary(viaVrpc, 'slow', { delayMs: 3_000 }, new Metadata(), { deadline: Date.now() + 300 }).result);
    expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(vrpc.pendingCount).toBe(0);
  });

  it('cancelling the call stops the wait', async () => {
    const served = target.calls.length;
    const { call, result } = unary<CalcResult>(viaVrpc, 'slow', { delayMs: 3_000 }, new Metadata(), { deadline: Date.now() + 1_000 });
    await waitFor(() => target.calls.length > served, 5_000);
    expect(vrpc.pendingCount).toBe(1);
    call.cancel();
    const error = await failure(result);
    expect(error.code).toBe(status.CANCELLED);
    expect(vrpc.pendingCount).toBe(0);
  });

  it('reports its targets in health', async () => {
    await unary(viaVrpc, 'add', { a: 1, b: 2 }, new Metadata()).result;
    const health = await gateway.health();
    expect(health).toMatchObject({
      healthy: true,
      state: 'running',
      targets: [{ service: CALCULATOR, address: target.address, state: 'READY' }],
    });
  });

  it('answers UNAVAILABLE, before the deadline, for a target nobody serves', async () => {
    const dead = new CalculatorServer('dead');
    await dead.start(0);
    dead.stop();
    const deadBus = new MemoryBus();
    const deadGateway = new VrpcGateway({ targets: { [CALCULATOR]: dead.address } }, deadBus);
    await deadGateway.start();
    const client = new VrpcClient(
      { protos: { protoPath: CALCULATOR_PROTO_PATH, package: 'vrpc.calc' }, client: { timeoutMs: 5_000 } },
      deadBus,
    );
    const calc = new (loadCalculatorPackage().Calculator)('127.0.0.1:1', credentials.createInsecure(), {
      interceptors: [createVrpcInterceptor(client)],
    });
    try {
      const started = Date.now();
      const error = await failure(unary(calc, 'add', { a: 1, b: 2 }, new Metadata()).result);
      expect(error.code).toBe(status.UNAVAILABLE);
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      calc.close();
      await deadGateway.close();
      await client.close();
    }
  });

  it('finishes the calls in flight before it closes', async () => {
    const lateBus = new MemoryBus();
    const lateGateway = new VrpcGateway({ targets: { [CALCULATOR]: target.address } }, lateBus);
    await lateGateway.start();
    const client = new VrpcClient(
      { protos: { protoPath: CALCULATOR_PROTO_PATH, package: 'vrpc.calc' }, client: { timeoutMs: 5_000 } },
      lateBus,
    );
    const calc = new (loadCalculatorPackage().Calculator)('127.0.0.1:1', credentials.createInsecure(), {
      interceptors: [createVrpcInterceptor(client)],
    });
    try {
      const { result } = unary<CalcResult>(calc, 'slow', { delayMs: 300, value: 7 }, new Metadata());
      await waitFor(() => lateGateway.inFlight === 1, 5_000);
      await lateGateway.close();
      expect(lateGateway.state).toBe('closed');
      await expect(result).resolves.toEqual({ value: 7, servedBy: 'target' });
    } finally {
      calc.close();
      await client.close();
    }
  });
});
