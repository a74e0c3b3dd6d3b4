import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REGISTER = fileURLToPath(new URL('./ts-loader/register.mjs', import.meta.url));

/** A TypeScript entry point run in a child process that answers requests over IPC (`serveIpc`). */
export interface IpcProcess {
  request<T>(command: string, args?: unknown, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
  errors(): string;
}

/** Starts `entry` and resolves once it says it is ready; bounded by `timeoutMs`. */
export function startIpcProcess(entry: URL, env: Record<string, string>, timeoutMs = 60_000): Promise<IpcProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', REGISTER, fileURLToPath(entry)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-100_000)));
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let next = 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (message: { id?: number; result?: unknown; error?: string }) => {
    if (message.id === undefined) return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(message.error));
    else waiter?.resolve(message.result);
  });
  const handle: IpcProcess = {
    request: <T>(command: string, args?: unknown, limit = 30_000) =>
      new Promise<T>((resolve, reject) => {
        const id = next++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${command}: no answer in ${limit} ms\n${stderr}`));
        }, limit);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value as T);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        child.send({ id, command, args });
      }),
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
    errors: () => stderr,
  };
  return new Promise<IpcProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${fileURLToPath(entry)} was not ready in ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${fileURLToPath(entry)} exited before it was ready:\n${stderr}`));
    });
    child.on('message', (message: { ready?: boolean }) => {
      if (!message.ready) return;
      clearTimeout(timer);
      resolve(handle);
    });
  });
}
