import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MemberConfig } from './processes/member-config.interface.js';

// The member's entry point next to this file: `.ts` when the suite runs from source, `.js` when built.
const ENTRY = fileURLToPath(new URL(`./processes/bus-member.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url));

/** A group member running in a child process, which the test can kill without warning. */
export class MemberProcess {
  /** Values (request ids, when it serves) the member took and will never finish. */
  readonly took: string[] = [];
  private stderr = '';
  private ready = false;
  private readonly child: ChildProcess;
  readonly exited: Promise<unknown>;

  /** @param nodeArgs arguments for node before the entry point (e.g. a TypeScript loader). */
  constructor(config: MemberConfig, nodeArgs: string[] = []) {
    this.child = spawn(process.execPath, [...nodeArgs, ENTRY], {
      env: { ...process.env, VRPC_CONFORMANCE_MEMBER: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.child.on('exit', resolve));
    let pending = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'READY') this.ready = true;
        else if (line.startsWith('TOOK ')) this.took.push(line.slice(5));
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-10_000)));
  }

  get isReady(): boolean {
    return this.ready;
  }

  get isAlive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What the process wrote to stderr (for failure messages). */
  errors(): string {
    return this.stderr;
  }

  /** Kills the process outright (SIGKILL): no close, no acknowledgement. */
  async crash(): Promise<void> {
    if (this.isAlive) this.child.kill('SIGKILL');
    await this.exited;
  }
}
