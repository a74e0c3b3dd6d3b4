import { Logger } from '@nestjs/common';
import { logLevel, type logCreator } from 'kafkajs';

/** Bridges kafkajs' logs into Nest's logger; kafkajs' chatty INFO goes to debug. */
export const nestLogCreator: logCreator = () => {
  const logger = new Logger('Kafka');
  return ({ namespace, level, log }) => {
    const { message, ...extra } = log;
    const context = namespace ? `${namespace}: ` : '';
    const text = `${context}${String(message)} ${Object.keys(extra).length > 2 ? JSON.stringify(extra) : ''}`;
    if (level === logLevel.ERROR) logger.error(text);
    else if (level === logLevel.WARN) logger.warn(text);
    else logger.debug(text);
  };
};
