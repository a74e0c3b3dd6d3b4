import { describe, expect, it } from 'vitest';
import { parseGrpcPath } from '../grpc/grpc-path.js';
import { createRouteMatcher } from './route-matcher.js';

describe('createRouteMatcher', () => {
  const add = '/vrpc.calc.Calculator/Add';
  const slow = '/vrpc.calc.Calculator/Slow';
  const describeInfo = '/vrpc.calc.ServerInfo/Describe';
  const nested = '/vrpc.calc.v2.Calculator/Add';

  it('routes every well-formed path by default', () => {
    const routed = createRouteMatcher({});
    expect([add, describeInfo].map(routed)).toEqual([true, true]);
    expect(routed('not-a-path')).toBe(false);
  });

  it('includes services, packages and single methods', () => {
    expect(createRouteMatcher({ include: ['vrpc.calc.Calculator'] })(describeInfo)).toBe(false);
    expect(createRouteMatcher({ include: ['vrpc.calc.Calculator'] })(add)).toBe(true);
    const pkg = createRouteMatcher({ include: ['vrpc.calc.*'] });
    expect([add, describeInfo, nested].map(pkg)).toEqual([true, true, false]);
    const method = createRouteMatcher({ include: ['vrpc.calc.Calculator/Add'] });
    expect([add, slow].map(method)).toEqual([true, false]);
  });

  it('lets exclude win over include', () => {
    const routed = createRouteMatcher({ include: ['vrpc.calc.*'], exclude: ['/vrpc.calc.Calculator/Slow', 'vrpc.calc.ServerInfo'] });
    expect([add, slow, describeInfo].map(routed)).toEqual([true, false, false]);
  });

  it('uses a route function instead of the lists when given', () => {
    const routed = createRouteMatcher({ include: ['nothing.*'], route: (path) => path.endsWith('/Add') });
    expect([add, slow].map(routed)).toEqual([true, false]);
  });
});

describe('parseGrpcPath', () => {
  it('splits service and method, and rejects other shapes', () => {
    expect(parseGrpcPath('/pkg.Svc/Do')).toEqual({ service: 'pkg.Svc', method: 'Do' });
    expect(parseGrpcPath('pkg.Svc/Do')).toBeUndefined();
    expect(parseGrpcPath('/pkg.Svc/Do/more')).toBeUndefined();
  });
});
