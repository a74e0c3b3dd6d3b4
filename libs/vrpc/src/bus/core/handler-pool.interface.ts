import type { IncomingMessage, MessageHandler } from '../bus.interface.js';
import type { Settle } from './handler-pool.js';

/** How much may wait behind earlier messages of its key before the pool makes its bus wait. */
export interface WaitingBounds {
  /** Messages waiting (default 4 × the pool's limit). */
  maxMessages?: number;
  /** Their bytes, values and keys (default 64 MiB). */
  maxBytes?: number;
}

/** A message waiting for its key's turn; tracked for a drain by `waited`. */
export interface Waiting {
  message: IncomingMessage;
  handler: MessageHandler;
  settle: Settle;
  waited: Promise<void>;
  turn: () => void;
}
