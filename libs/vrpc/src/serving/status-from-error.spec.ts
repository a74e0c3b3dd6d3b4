import { Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { statusFromError } from './status-from-error.js';

describe('statusFromError', () => {
  it('keeps the code, message and metadata of RpcException({ code, message, metadata })', () => {
    const metadata = new Metadata();
    metadata.set('x-retry-after', '5');
    expect(statusFromError({ code: status.RESOURCE_EXHAUSTED, message: 'slow down', metadata })).toEqual({
      code: status.RESOURCE_EXHAUSTED,
      message: 'slow down',
      metadata: { 'x-retry-after': '5' },
    });
  });

  it('keeps repeated trailer values exactly, in entries beside the joined map', () => {
    const metadata = new Metadata();
    metadata.add('x-reason', 'quota');
    metadata.add('x-reason', 'burst');
    expect(statusFromError({ code: status.RESOURCE_EXHAUSTED, message: 'slow down', metadata })).toEqual({
      code: status.RESOURCE_EXHAUSTED,
      message: 'slow down',
      metadata: { 'x-reason': 'quota, burst' },
      metadataEntries: [{ key: 'x-reason', values: ['quota', 'burst'] }],
    });
  });

  it("turns Nest's safe shape for unknown errors into INTERNAL, and RpcException('text') into UNKNOWN", () => {
    expect(statusFromError({ status: 'error', message: 'Internal server error' })).toMatchObject({ code: status.INTERNAL });
    expect(statusFromError({ status: 'error', message: 'nope' })).toEqual({ code: status.UNKNOWN, message: 'nope' });
  });

  it('never leaks what it does not recognise', () => {
    expect(statusFromError(new Error('secret'))).toEqual({ code: status.INTERNAL, message: 'Internal server error' });
  });
});
