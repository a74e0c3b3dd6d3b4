import type { Logger } from '@nestjs/common';
import type { BaseRpcContext } from '@nestjs/microservices';
import type { RequestEnvelope } from '../protocol/envelope.js';
import { callLabel } from '../serving/call-log.js';
import { logText } from '../utils/log-text.js';

/** `Server.runWithProcessingHooks` of the transport: runs `fn` between Nest's processing start and end hooks. */
export type RunWithProcessingHooks = (context: BaseRpcContext, fn: (runEndHook: () => void) => Promise<void>) => void;

/** How handler executions are wrapped in Nest's processing hooks; absent when the app set none. */
export interface ProcessingHooks {
  run: RunWithProcessingHooks;
  logger: Logger;
  /** The trace id of the active span, for the log line of a hook that failed. */
  traceId: () => string | undefined;
}

/**
 * Runs `work` between the processing hooks, with `context`, and resolves with its result: Nest's
 * start hook returns nothing, so the result flows back through the `done` it is given. A hook
 * that throws (or rejects) never loses the reply: before `work` started, `failed` answers; after,
 * the result stands and the error is logged. A start hook that never calls `done` holds the call.
 */
export function runHooked<T>(
  hooks: ProcessingHooks,
  context: BaseRpcContext,
  envelope: RequestEnvelope,
  work: () => Promise<T>,
  failed: (error: unknown) => T,
): Promise<T> {
  return new Promise<T>((resolve) => {
    let started = false;
    const hookFailed = (error: unknown): void => {
      hooks.logger.error(`a processing hook failed on ${callLabel(envelope, hooks.traceId())}: ${logText(String(error), 300)}`);
      if (!started) resolve(failed(error));
    };
    try {
      const returned: unknown = hooks.run(context, async (runEndHook) => {
        started = true;
        const result = await work().catch(failed);
        try {
          runEndHook();
        } catch (error: unknown) {
          hookFailed(error);
        }
        resolve(result);
      });
      if (returned instanceof Promise) returned.catch(hookFailed);
    } catch (error: unknown) {
      hookFailed(error);
    }
  });
}
