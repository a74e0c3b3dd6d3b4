import { runNames } from '../../config/run-config.js';
import type { Contender } from '../contender.js';
import { startRawPlatformaticClient } from './raw-platformatic.client.js';
import { startRawPlatformaticServer } from './raw-platformatic.server.js';
import { rawPlatformaticConsumer, rawPlatformaticProducer } from './raw-platformatic.tuning.js';
import { minimalPlatformaticWire } from './raw-platformatic.wire.js';

/**
 * The floor on `@platformatic/kafka`: producer → topic → consumer → reply topic → consumer,
 * that client and nothing else, with the kafkajs floor's topics (one partition each), tuning
 * and wire. Its topics are created by the orchestrator.
 */
export const rawPlatformaticContender: Contender = {
  startServer(config) {
    const n = runNames(config).rawPlatformatic;
    const clientId = `${n.clientId}-server`;
    return startRawPlatformaticServer(
      rawPlatformaticProducer(clientId, config.brokers),
      rawPlatformaticConsumer(clientId, config.brokers, n.serverGroup),
      n,
      minimalPlatformaticWire(n.requestTopic, n.replyTopic),
    );
  },
  startClient(config) {
    const n = runNames(config).rawPlatformatic;
    const clientId = `${n.clientId}-client`;
    return startRawPlatformaticClient(
      rawPlatformaticProducer(clientId, config.brokers),
      rawPlatformaticConsumer(clientId, config.brokers, n.clientGroup),
      n,
      minimalPlatformaticWire(n.requestTopic, n.replyTopic),
    );
  },
};
