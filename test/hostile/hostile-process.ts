import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TS_NODE_ARGS } from '../support/ts-node-args.js';

const ENTRY = fileURLToPath(new URL('../processes/hostile-server.ts', import.meta.url));

/** One handler run, as the server process reports it. */
export interface HandlerRun {
  /** sha1 of the request id (ids may be 512 KB long). */
  run: string;
  id: string;
  idLength: number;
  text: string;
  replyTo: string;
  replyPartition: number | null;
  pid: number;
}

/** Every handler run of every server process of a test (so counts span restarts). */
export class RunLog {
  readonly runs: HandlerRun[] = [];

  count(text: string): number {
    return this.runs.filter((run) => run.text === text).length;
  }

  find(text: string): HandlerRun | undefined {
    return this.runs.find((run) => run.text === text);
  }
}

/** The hostile-input server (test/processes/hostile-server.ts) in a child process, with IPC. */
export class HostileServer {
  private stderr = '';
  /** Every line the process wrote (each cut to 400 characters), for checks on its logs. */
  readonly lines: string[] = [];
  private partial = '';
  private running = true;
  readonly exited: Promise<number | string>;
  private readonly rssWaiters = new Map<number, (rss: number) => void>();
  private asked = 0;

  private constructor(
    private readonly child: ChildProcess,
    runs: RunLog,
  ) {
    const record = (chunk: Buffer) => {
      const text = chunk.toString();
      this.stderr = (this.stderr + text).slice(-100_000);
      const parts = (this.partial + text).split('\n');
      this.partial = parts.pop() ?? '';
      // eslint-disable-next-line no-control-regex
      for (const line of parts) if (this.lines.length < 200_000) this.lines.push(line.replace(/\u001b\[[0-9;]*m/g, '').slice(0, 400));
    };
    child.stderr?.on('data', record);
    child.stdout?.on('data', record);
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.running = false;
        resolve(code ?? signal ?? -1);
      }),
    );
    child.on('message', (message: HandlerRun & { rssOf?: number; rss?: number }) => {
      if (message.run) runs.runs.push(message);
      if (message.rssOf !== undefined) this.rssWaiters.get(message.rssOf)?.(message.rss ?? 0);
    });
  }

  /** Starts a server with `options` (VrpcModuleOptions minus protos); resolves once it listens. */
  static async start(options: object, runs: RunLog, timeoutMs = 60_000): Promise<HostileServer> {
    const child = spawn(process.execPath, [...TS_NODE_ARGS, ENTRY], {
      env: { ...process.env, VRPC_TEST_OPTIONS: JSON.stringify(options) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const server = new HostileServer(child, runs);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`hostile server not ready in ${timeoutMs} ms:\n${server.stderr}`)), timeoutMs);
      child.on('message', (message: { ready?: number }) => {
        if (message.ready === undefined) return;
        clearTimeout(timer);
        resolve();
      });
      void server.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`hostile server exited (${code}) before it was ready:\n${server.stderr}`));
      });
    });
    return server;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  alive(): boolean {
    return this.running;
  }

  output(): string {
    return this.stderr;
  }

  /** The server's resident set size in bytes, asked over IPC (bounded by 5 s). */
  rss(): Promise<number> {
    const ask = ++this.asked;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no RSS answer within 5 s')), 5_000);
      this.rssWaiters.set(ask, (rss) => {
        clearTimeout(timer);
        this.rssWaiters.delete(ask);
        resolve(rss);
      });
      this.child.send({ rss: ask });
    });
  }

  /** Sends `signal` and resolves with the ms it took the process to exit (SIGKILL after `limitMs`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', limitMs = 30_000): Promise<number> {
    if (!this.running) return 0;
    const started = Date.now();
    this.child.kill(signal);
    const killer = setTimeout(() => this.child.kill('SIGKILL'), limitMs);
    await this.exited;
    clearTimeout(killer);
    return Date.now() - started;
  }
}
