import 'reflect-metadata';
import { readRunConfig } from '../config/run-config.js';
import { isStreamContenderId, loadStreamContender } from '../contenders/streams/stream-registry.js';
import { runStreamPhase, slowConsume, type SlowConsumerParams, type StreamPhaseParams } from '../load/stream-load.js';
import { runChild } from './ipc.js';
import { processUsage } from './process-usage.js';

const id = process.argv[2] ?? '';
if (!isStreamContenderId(id)) throw new Error(`unknown streaming contender "${id}"`);

/** A streaming contender's client, alone in its process; it makes the calls and checks every message. */
await runChild(
  async () => (await loadStreamContender(id)).startClient(readRunConfig()),
  (client) => ({
    phase: (params) => runStreamPhase(client, params as StreamPhaseParams),
    slow: (params) => slowConsume(client, params as SlowConsumerParams),
    usage: (params) => Promise.resolve(processUsage((params as { gc?: boolean } | undefined)?.gc)),
    close: async () => {
      await client.close();
      return processUsage();
    },
  }),
);
