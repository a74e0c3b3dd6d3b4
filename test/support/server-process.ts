import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REGISTER = fileURLToPath(new URL('./ts-loader/register.mjs', import.meta.url));

/** A server running in a child process. */
export interface ServerProcess {
  readonly pid: number;
  /** Resolves with the exit code (or signal) when the process ends. */
  readonly exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
  /** What the process wrote to stderr so far (the last 200 000 characters). */
  errors(): string;
  /** How many lines the process wrote to stderr so far. */
  errorLines(): number;
  /** Whether the process is still running. */
  alive(): boolean;
}

/** Starts `entry` (a TypeScript file) and resolves once it prints READY; bounded by `timeoutMs`. */
export function startServerProcess(entry: URL, env: Record<string, string>, timeoutMs = 60_000): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', REGISTER, fileURLToPath(entry)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let lines = 0;
  let running = true;
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    lines += text.split('\n').length - 1;
    stderr = (stderr + text).slice(-200_000);
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      running = false;
      resolve(code ?? signal ?? -1);
    }),
  );
  return new Promise<ServerProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server process did not become ready in ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server process exited (${code}) before it was ready:\n${stderr}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (!chunk.toString().includes('READY')) return;
      clearTimeout(timer);
      resolve({
        pid: child.pid ?? -1,
        exited,
        kill: (signal) => child.kill(signal),
        errors: () => stderr,
        errorLines: () => lines,
        alive: () => running,
      });
    });
  });
}
