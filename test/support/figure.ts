import { expect } from 'vitest';

/** Prints a measured time under the running test's name (for the record), and returns it for its assertion. */
export function figure(ms: number, what: string): number {
  console.info(`[figure] ${expect.getState().currentTestName ?? ''}: ${what}: ${ms} ms`);
  return ms;
}
