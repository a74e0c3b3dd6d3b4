import { Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../bus/bus.interface.js';
import type { RequestEnvelope } from '../protocol/envelope.js';
import { mapToMetadata } from '../protocol/metadata.codec.js';
import { replyMetadata, requestMetadata } from './forward-metadata.js';
import { grpcForwardExecutor } from './grpc-forward.executor.js';
import { GrpcTargetPool } from './grpc-target-pool.js';

const envelope: RequestEnvelope = {
  requestId: 'r1',
  serviceName: 'pkg.Unknown',
  methodName: 'Do',
  payload: Buffer.alloc(0),
  metadata: {},
  timestamp: Date.now(),
  timeoutMs: 1_000,
  clientId: 'c',
  replyTo: 'replies',
  deadline: Date.now() + 1_000,
  taskKey: '',
  attempt: 0,
  oneWay: false,
};

describe('forwarding metadata', () => {
  it("drops each hop's transport headers and keeps the application's, binary ones included", () => {
    const forwarded = requestMetadata(
      mapToMetadata({
        'x-trace': 't1',
        'user-agent': 'grpc-node-js',
        'grpc-timeout': '1S',
        'content-type': 'application/grpc',
      }),
    );
    expect(forwarded.toJSON()).toEqual({ 'x-trace': ['t1'] });
    const headers = new Metadata();
    headers.set('content-type', 'application/grpc+proto');
    headers.set('date', 'now');
    headers.set('x-served-by', 'a');
    const trailers = new Metadata();
    trailers.set('grpc-accept-encoding', 'gzip');
    trailers.set('grpc-status-details-bin', Buffer.from([1, 2]));
    trailers.set('x-retry-after', '5');
    expect(replyMetadata(headers, trailers).metadata).toEqual({
      'x-served-by': 'a',
      'grpc-status-details-bin': Buffer.from([1, 2]).toString('base64'),
      'x-retry-after': '5',
    });
  });
});

describe('grpcForwardExecutor', () => {
  it('answers UNIMPLEMENTED for a service without a target', async () => {
    const pool = new GrpcTargetPool({ 'pkg.Known': '127.0.0.1:1' });
    try {
      const reply = await grpcForwardExecutor(pool)(envelope, {} as IncomingMessage, {});
      expect(reply).toMatchObject({ requestId: 'r1', statusCode: status.UNIMPLEMENTED });
      expect(reply.errorMessage).toContain('pkg.Unknown');
    } finally {
      pool.close();
    }
  });
});
