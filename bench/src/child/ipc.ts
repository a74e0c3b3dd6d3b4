import { processUsage, type ProcessUsage } from './process-usage.js';

/** Parent → child: run one command. */
export interface CommandMessage {
  kind: 'command';
  id: number;
  command: string;
  params?: unknown;
}

/** Child → parent. */
export type ChildMessage =
  | { kind: 'ready'; startupMs: number; usage: ProcessUsage }
  | { kind: 'failed'; error: string }
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: string };

/** What a child can be asked to do. */
export type CommandHandlers = Record<string, (params: unknown) => Promise<unknown>>;

function send(message: ChildMessage): void {
  process.send?.(message);
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * Starts a child's part: runs `start`, reports ready (or failed), then answers commands
 * until the parent disconnects.
 */
export async function runChild<T>(start: () => Promise<T>, handlers: (started: T) => CommandHandlers): Promise<void> {
  if (!process.send) throw new Error('bench child processes are started by bench/dist/main.js');
  const began = performance.now();
  let started: T;
  try {
    started = await start();
  } catch (error: unknown) {
    send({ kind: 'failed', error: describe(error) });
    process.exitCode = 1;
    process.disconnect();
    return;
  }
  const table = handlers(started);
  process.on('message', (message: CommandMessage) => {
    const handler = table[message.command];
    const run = handler ? handler(message.params) : Promise.reject(new Error(`unknown command ${message.command}`));
    run.then(
      (value) => send({ kind: 'result', id: message.id, ok: true, value }),
      (error: unknown) => send({ kind: 'result', id: message.id, ok: false, error: describe(error) }),
    );
  });
  // The parent going away ends the child: nothing may linger on a shared machine.
  process.on('disconnect', () => process.exit(process.exitCode ?? 0));
  send({ kind: 'ready', startupMs: performance.now() - began, usage: processUsage() });
}
