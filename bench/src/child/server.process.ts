import 'reflect-metadata';
import { readRunConfig } from '../config/run-config.js';
import { loadContender } from '../contenders/registry.js';
import { contenderArg } from './child-args.js';
import { runChild } from './ipc.js';
import { processUsage } from './process-usage.js';

/** A contender's server, alone in its process so that its CPU and memory are its own. */
await runChild(
  async () => (await loadContender(contenderArg())).startServer(readRunConfig()),
  (server) => ({
    usage: (params) => Promise.resolve(processUsage((params as { gc?: boolean } | undefined)?.gc)),
    close: async () => {
      await server.close();
      return processUsage();
    },
  }),
);
