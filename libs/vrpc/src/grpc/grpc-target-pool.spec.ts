import { describe, expect, it } from 'vitest';
import { VrpcConfigError } from '../errors/vrpc-config.error.js';
import { DirectCaller } from './direct-caller.js';
import { GrpcTargetPool } from './grpc-target-pool.js';

describe('empty gRPC targets', () => {
  it('name the gateway option', () => {
    expect(() => new GrpcTargetPool({ 'demo.Echo': '' })).toThrow(VrpcConfigError);
    expect(() => new GrpcTargetPool({ 'demo.Echo': '' })).toThrow('vRPC: targets["demo.Echo"]: the gRPC target of demo.Echo is empty');
  });

  it('name the fallback option of a client', () => {
    expect(() => new DirectCaller({ 'demo.Echo': '' })).toThrow(
      expect.objectContaining({ option: 'client.fallback["demo.Echo"].address' }),
    );
  });
});
