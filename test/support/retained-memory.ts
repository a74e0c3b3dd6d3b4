import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/**
 * What this process holds after a full garbage collection: V8's heap in use plus the memory
 * outside it (Buffers). Unlike RSS it does not count the heap V8 keeps reserved for garbage it
 * has not collected yet, which newer V8s (Node 24) let grow much further before collecting.
 */
export function retainedBytes(): number {
  if (!collect) {
    // `gc` without starting the process with --expose-gc: the flag, then a fresh context that has it.
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}
