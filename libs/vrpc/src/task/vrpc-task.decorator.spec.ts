import { type CanActivate, UseGuards } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import { GrpcMethod } from '@nestjs/microservices';
import { PATTERN_EXTRAS_METADATA, PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import { describe, expect, it } from 'vitest';
import { type TaskGate, withTaskGate } from './task-gate.js';
import { VRPC_TASK_EXTRA, VrpcTask } from './vrpc-task.decorator.js';

class Allow implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

class Jobs {
  @UseGuards(Allow)
  @VrpcTask({ callerKey: false })
  @GrpcMethod('JobService', 'Run')
  run(id: string): string {
    return `ran ${id}`;
  }

  @VrpcTask()
  @UseGuards(Allow)
  @GrpcMethod('JobService', 'Stop')
  stop(id: string): string {
    return `stopped ${id}`;
  }
}

describe('@VrpcTask', () => {
  it('keeps what the other decorators put on the method, in any order', () => {
    const methods = Object.getOwnPropertyDescriptors(Jobs.prototype);
    for (const name of ['run', 'stop'] as const) {
      const method = methods[name].value as () => unknown;
      expect(method.name).toBe(name);
      expect(Reflect.getMetadata(GUARDS_METADATA, method)).toEqual([Allow]);
      expect(Reflect.getMetadata(PATTERN_METADATA, method)).toBeDefined();
      expect(Reflect.getMetadata(PATTERN_EXTRAS_METADATA, method)).toHaveProperty(VRPC_TASK_EXTRA);
    }
    const extras = Reflect.getMetadata(PATTERN_EXTRAS_METADATA, methods.run.value as object) as Record<string, unknown>;
    expect(extras[VRPC_TASK_EXTRA]).toEqual({ callerKey: false });
  });

  it('runs the body as written outside a vRPC call, and through the call gate inside one', async () => {
    const jobs = new Jobs();
    expect(jobs.run('a')).toBe('ran a');
    const gate: TaskGate = (invoke) => Promise.resolve(`gated ${String(invoke())}`);
    // Gated, the body's value comes back as a promise (Nest awaits whatever a handler returns).
    const gated = withTaskGate(gate, () => jobs.run('b')) as unknown as Promise<string>;
    expect(await gated).toBe('gated ran b');
  });
});
