import { isContenderId, type ContenderId } from '../contenders/registry.js';

/** The contender a child process runs: its first argument. */
export function contenderArg(): ContenderId {
  const id = process.argv[2] ?? '';
  if (!isContenderId(id)) throw new Error(`unknown contender "${id}"`);
  return id;
}
