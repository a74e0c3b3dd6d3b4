import { Logger } from '@nestjs/common';
import type { logCreator } from 'kafkajs';
import type { KafkajsModule } from './kafkajs-client.js';

/** Identical warnings and errors within this window are logged once (a broker outage repeats them per retry). */
const REPEAT_WINDOW_MS = 10_000;

/**
 * Bridges kafkajs' logs into Nest's logger: kafkajs' chatty INFO goes to debug, and repeats of
 * one error (same broker, same message) are folded into a count instead of a log storm.
 *
 * @param logLevel kafkajs' `logLevel` (kafkajs is loaded on connect)
 */
export const nestLogCreator =
  (logLevel: KafkajsModule['logLevel']): logCreator =>
  () => {
    const logger = new Logger('Kafka');
    const recent = new Map<string, { until: number; suppressed: number }>();
    return ({ namespace, level, log }) => {
      // kafkajs logs `broker` as "host:port" and `error` as the error's message.
      const { message, broker, error, ...extra } = log as { message: string; broker?: string; error?: string } & Record<string, unknown>;
      const context = namespace ? `${namespace}: ` : '';
      const where = broker ? ` (broker ${broker})` : '';
      const cause = error ? `: ${error}` : '';
      const text = `${context}${message}${cause}${where}`;
      if (level > logLevel.WARN) {
        logger.debug(`${text} ${JSON.stringify(extra)}`);
        return;
      }
      const now = Date.now();
      const seen = recent.get(text);
      if (seen && seen.until > now) {
        seen.suppressed++;
        return;
      }
      if (recent.size > 1_000) recent.clear();
      recent.set(text, { until: now + REPEAT_WINDOW_MS, suppressed: 0 });
      const repeats = seen?.suppressed ? ` [${seen.suppressed} repeats in the last ${REPEAT_WINDOW_MS / 1000} s]` : '';
      if (level === logLevel.ERROR) logger.error(text + repeats);
      else logger.warn(text + repeats);
    };
  };
