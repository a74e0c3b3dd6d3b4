import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Runs the body of a `@VrpcTask` method as the task of the call being served: returns the
 * remembered or joined result, or runs `invoke` as the task's holder and records what it gave.
 */
export type TaskGate = (invoke: () => unknown) => Promise<unknown>;

// One storage for the process: each served call opens its own slot in it (`withTaskGate`), so
// servers and modules side by side never see each other's calls.
const calls = new AsyncLocalStorage<{ gate: TaskGate | undefined }>();

/** Runs `serve` (the Nest pipeline of one call) with `gate` waiting for the method's wrapper. */
export function withTaskGate<T>(gate: TaskGate, serve: () => T): T {
  return calls.run({ gate }, serve);
}

/**
 * The gate of the call being served, handed out once: the first `@VrpcTask` method reached is
 * the call's handler; another one it calls in-process is not the call's task.
 */
export function claimTaskGate(): TaskGate | undefined {
  const slot = calls.getStore();
  const gate = slot?.gate;
  if (slot) slot.gate = undefined;
  return gate;
}
