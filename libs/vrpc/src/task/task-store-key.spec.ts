import { describe, expect, it } from 'vitest';
import { claimTaskGate, type TaskGate, withTaskGate } from './task-gate.js';
import { taskStoreKey } from './task-store-key.js';

describe('taskStoreKey', () => {
  it('scopes a key by service and method', () => {
    expect(taskStoreKey('vrpc.jobs.JobService', 'Run', 'job-7')).toBe('vrpc.jobs.JobService/Run/job-7');
    expect(taskStoreKey('vrpc.jobs.JobService', 'Run', 'k')).not.toBe(taskStoreKey('vrpc.echo.EchoService', 'Echo', 'k'));
    expect(taskStoreKey('vrpc.jobs.JobService', 'Run', 'k')).not.toBe(taskStoreKey('vrpc.jobs.JobService', 'Stop', 'k'));
  });

  it('hashes long keys, and keys that could pass for a hash', () => {
    const long = taskStoreKey('S', 'M', 'x'.repeat(1024));
    expect(long).toMatch(/^S\/M\/#[\w-]{43}$/);
    expect(taskStoreKey('S', 'M', 'x'.repeat(1025))).not.toBe(long);
    const lookalike = long.slice('S/M/'.length);
    expect(taskStoreKey('S', 'M', lookalike)).not.toBe(long);
    expect(taskStoreKey('S', 'M', 'x'.repeat(128))).toBe(`S/M/${'x'.repeat(128)}`);
  });
});

describe('task gates', () => {
  const gate: TaskGate = (invoke) => Promise.resolve(invoke());

  it('hands the gate of a call out once, and none outside a call', async () => {
    expect(claimTaskGate()).toBeUndefined();
    await withTaskGate(gate, async () => {
      await Promise.resolve();
      expect(claimTaskGate()).toBe(gate);
      expect(claimTaskGate()).toBeUndefined();
    });
  });

  it('keeps concurrent calls apart', async () => {
    const other: TaskGate = (invoke) => Promise.resolve(invoke());
    const claimed = await Promise.all([
      withTaskGate(gate, async () => (await Promise.resolve(), claimTaskGate())),
      withTaskGate(other, async () => (await Promise.resolve(), claimTaskGate())),
    ]);
    expect(claimed).toEqual([gate, other]);
  });
});
