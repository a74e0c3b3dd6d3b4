import { type ChildProcess, fork } from 'node:child_process';
import type { ChildMessage, CommandMessage } from '../child/ipc.js';
import type { ProcessUsage } from '../child/process-usage.js';

/** How to start one child process. */
export interface ChildSpec {
  /** For messages: `vrpc server`. */
  name: string;
  script: URL;
  args: string[];
  env: Record<string, string>;
  execArgv: string[];
}

interface Waiter {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const LOG_LINES_KEPT = 40;

/** A child process that answers commands over IPC; its output is kept for error reports. */
export class ChildHandle {
  private readonly child: ChildProcess;
  private readonly waiters = new Map<number, Waiter>();
  private readonly log: string[] = [];
  private nextId = 1;
  private exited: string | undefined;
  private readyWaiter: Omit<Waiter, 'timer'> | undefined;
  readonly ready: Promise<{ startupMs: number; usage: ProcessUsage }>;

  constructor(
    readonly spec: ChildSpec,
    startTimeoutMs: number,
  ) {
    this.child = fork(spec.script, spec.args, {
      env: { ...process.env, ...spec.env },
      execArgv: spec.execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => this.keep(chunk));
    }
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(this.failure(`did not start within ${startTimeoutMs} ms`)), startTimeoutMs);
      this.readyWaiter = {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as { startupMs: number; usage: ProcessUsage });
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
    // Startup failures surface through `ready`; keep them from counting as unhandled meanwhile.
    this.ready.catch(() => undefined);
    this.child.on('message', (message: ChildMessage) => this.onMessage(message));
    this.child.on('exit', (code, signal) => this.onExit(`exited with ${signal ?? `code ${code}`}`));
    this.child.on('error', (error) => this.onExit(`failed: ${error.message}`));
  }

  /** Runs a command in the child; rejects with the child's error or output on failure. */
  command<T>(command: string, params: unknown, timeoutMs: number): Promise<T> {
    if (this.exited) return Promise.reject(this.failure(this.exited));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(this.failure(`${command} took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.child.send({ kind: 'command', id, command, params } satisfies CommandMessage);
    });
  }

  /** Asks the child to close its contender and exit; kills it if it does not. */
  async close(timeoutMs: number): Promise<ProcessUsage | undefined> {
    if (this.exited) return undefined;
    let usage: ProcessUsage | undefined;
    try {
      usage = await this.command<ProcessUsage>('close', undefined, timeoutMs);
    } finally {
      await this.stop();
    }
    return usage;
  }

  /** Ends the child: disconnecting makes it exit; a child that hangs is killed. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  }

  /** The child's last lines of output. */
  tail(): string {
    return this.log.join('').split('\n').slice(-LOG_LINES_KEPT).join('\n');
  }

  private keep(chunk: string): void {
    this.log.push(chunk);
    if (this.log.length > LOG_LINES_KEPT * 4) this.log.splice(0, this.log.length - LOG_LINES_KEPT * 2);
  }

  private onMessage(message: ChildMessage): void {
    if (message.kind === 'ready') {
      this.readyWaiter?.resolve({ startupMs: message.startupMs, usage: message.usage });
    } else if (message.kind === 'failed') {
      this.readyWaiter?.reject(this.failure(`failed to start: ${message.error}`));
    } else {
      const waiter = this.waiters.get(message.id);
      if (!waiter) return;
      this.waiters.delete(message.id);
      clearTimeout(waiter.timer);
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(this.failure(message.error));
    }
  }

  private onExit(reason: string): void {
    this.exited = reason;
    this.readyWaiter?.reject(this.failure(reason));
    for (const waiter of this.waiters.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(this.failure(reason));
    }
    this.waiters.clear();
  }

  private failure(reason: string): Error {
    const tail = this.tail().trim();
    return new Error(`${this.spec.name}: ${reason}${tail ? `\n--- last output ---\n${tail}` : ''}`);
  }
}
