import { runNames } from '../../config/run-config.js';
import type { Contender } from '../contender.js';
import { startRawClient } from './raw-kafka.client.js';
import { startRawServer } from './raw-kafka.server.js';
import { rawKafka } from './raw-kafka.tuning.js';

/** The floor: producer → topic → consumer → reply topic → consumer, kafkajs and nothing else. */
export const rawKafkaContender: Contender = {
  startServer(config) {
    const names = runNames(config).rawKafka;
    return startRawServer(rawKafka(`${names.clientId}-server`, config.brokers), names);
  },
  startClient(config) {
    const names = runNames(config).rawKafka;
    return startRawClient(rawKafka(`${names.clientId}-client`, config.brokers), names);
  },
};
