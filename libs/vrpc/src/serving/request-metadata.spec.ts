import { Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { RequestEnvelope, ResponseEnvelope } from '../protocol/envelope.js';
import { RequestMetadataReader } from './request-metadata.js';

const request = (wire: Pick<RequestEnvelope, 'metadata' | 'metadataEntries'>): RequestEnvelope => ({
  requestId: 'r\n1',
  serviceName: 's.S',
  methodName: 'M',
  payload: Buffer.alloc(0),
  timestamp: 0,
  timeoutMs: 0,
  clientId: '',
  replyTo: '',
  deadline: 0,
  taskKey: '',
  attempt: 0,
  oneWay: false,
  ...wire,
});

describe('RequestMetadataReader', () => {
  it('gives the request its metadata, repeated values as they were sent', () => {
    const lines: string[] = [];
    const read = new RequestMetadataReader((line) => lines.push(line)).read(
      request({ metadata: { 'x-tag': 'a, b' }, metadataEntries: [{ key: 'x-tag', values: ['a', 'b'] }] }),
    );
    expect(read).toBeInstanceOf(Metadata);
    expect((read as Metadata).get('x-tag')).toEqual(['a', 'b']);
    expect(lines).toEqual([]);
  });

  it('refuses a key gRPC cannot carry with INVALID_ARGUMENT naming it escaped, and logs once per interval', () => {
    const lines: string[] = [];
    const reader = new RequestMetadataReader((line) => lines.push(line), 60_000);
    for (const key of ['bad key\nINFO forged', 'x:colon']) {
      const reply = reader.read(request({ metadata: { 'x-ok': 'v', [key]: 'v' } })) as ResponseEnvelope;
      expect(reply).toMatchObject({ requestId: 'r\n1', statusCode: status.INVALID_ARGUMENT });
      expect(reply.errorMessage).toContain(key.replace('\n', '\\n'));
    }
    const text = reader.read(request({ metadata: { 'x-name': 'Zoë' } })) as ResponseEnvelope;
    expect(text).toMatchObject({ statusCode: status.INVALID_ARGUMENT, errorMessage: expect.stringContaining('"x-name"') as unknown });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('r\\n1');
    expect(lines[0]).not.toContain('\n');
    reader.close();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^2 more/);
  });
});
