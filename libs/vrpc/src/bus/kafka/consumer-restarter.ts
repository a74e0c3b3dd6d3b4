import type { Logger } from '@nestjs/common';
import type { Consumer } from 'kafkajs';

/**
 * kafkajs restarts a crashed consumer only for errors it deems retriable; a broker outage can
 * end in one it does not ("Failed to find group coordinator"), leaving the consumer stopped for
 * good. This restarts it with backoff (1 s doubling to 5 s) until it runs again or `closing()`.
 */
export function restartAfterCrash(consumer: Consumer, start: () => Promise<void>, closing: () => boolean, logger: Logger): void {
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart || closing()) return;
    logger.warn(`consumer ${payload.groupId} stopped (${String(payload.error)}); restarting it`);
    void (async () => {
      for (let delay = 1_000; !closing(); delay = Math.min(delay * 2, 5_000)) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        try {
          await start();
          logger.log(`consumer ${payload.groupId} running again`);
          return;
        } catch (error: unknown) {
          logger.warn(`consumer ${payload.groupId} not restarted yet: ${String(error)}`);
        }
      }
    })();
  });
}
