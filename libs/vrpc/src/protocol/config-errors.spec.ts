import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VrpcConfigError } from '../errors/vrpc-config.error.js';
import { ProtoRegistry } from './proto-registry.js';
import { deadLetterTopic, replyTopic, requestTopic } from './topic-names.js';

function configError(run: () => unknown): VrpcConfigError {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof VrpcConfigError) return error;
    throw error;
  }
  throw new Error('no error was thrown');
}

describe('topic names', () => {
  it('name the option an illegal topic comes from', () => {
    const explicit = configError(() => requestTopic('demo.Echo', { requests: { 'demo.Echo': 'has space' } }));
    expect(explicit.option).toBe('topics.requests["demo.Echo"]');
    expect(explicit.message).toContain('vRPC: topics.requests["demo.Echo"]: "has space" is not a legal topic name');
    expect(configError(() => requestTopic('demo.Echo', { requestPrefix: 'a/b.' })).option).toBe('topics.requestPrefix');
    expect(configError(() => replyTopic({ replies: '..' })).option).toBe('topics.replies');
    expect(configError(() => deadLetterTopic({ deadLetter: 'x'.repeat(250) })).option).toBe('topics.deadLetter');
  });

  it('accept legal names', () => {
    expect(requestTopic('demo.Echo', { requestPrefix: 'app.req.' })).toBe('app.req.demo.Echo');
    expect(replyTopic({ replies: 'app.replies' })).toBe('app.replies');
  });
});

describe('proto registry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vrpc-protos-'));
  const protoPath = join(dir, 'echo.proto');
  writeFileSync(protoPath, 'syntax = "proto3"; package demo; service Echo { rpc Say (M) returns (M); } message M { string text = 1; }');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names `protos` when none are given', () => {
    expect(configError(() => new ProtoRegistry(undefined))).toMatchObject({
      option: 'protos',
      message: 'vRPC: protos: no proto definitions were given',
    });
    expect(new ProtoRegistry(undefined, true).services).toEqual([]);
  });

  it('names `protos` and the known services for an unknown one', () => {
    const registry = new ProtoRegistry({ protoPath, package: 'demo' });
    expect(registry.get('Echo').fullName).toBe('demo.Echo');
    expect(configError(() => registry.get('demo.Missing'))).toMatchObject({
      option: 'protos',
      message: 'vRPC: protos: service "demo.Missing" is not in the loaded protos (known: demo.Echo)',
    });
  });
});
