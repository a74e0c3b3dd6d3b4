import 'reflect-metadata';
import { readRunConfig } from '../config/run-config.js';
import { isStreamContenderId, loadStreamContender } from '../contenders/streams/stream-registry.js';
import { produced } from '../shared/stream-items.js';
import { runChild } from './ipc.js';
import { processUsage } from './process-usage.js';

const id = process.argv[2] ?? '';
if (!isStreamContenderId(id)) throw new Error(`unknown streaming contender "${id}"`);

/** A streaming contender's server, alone in its process; it counts the messages its handlers produce. */
await runChild(
  async () => (await loadStreamContender(id)).startServer(readRunConfig()),
  (server) => ({
    usage: (params) => Promise.resolve(processUsage((params as { gc?: boolean } | undefined)?.gc)),
    produced: () => Promise.resolve(produced.items),
    close: async () => {
      await server.close();
      return processUsage();
    },
  }),
);
