import 'reflect-metadata';
import { readRunConfig } from '../config/run-config.js';
import { loadContender } from '../contenders/registry.js';
import { runLoad, type LoadParams } from '../load/load-generator.js';
import { contenderArg } from './child-args.js';
import { runChild } from './ipc.js';
import { processUsage } from './process-usage.js';

/** A contender's client, alone in its process; it generates the load and measures latency. */
await runChild(
  async () => {
    const client = await (await loadContender(contenderArg())).startClient(readRunConfig());
    return { client, sequence: { next: 1 } };
  },
  ({ client, sequence }) => ({
    load: (params) => runLoad((request) => client.call(request), params as LoadParams, sequence),
    usage: (params) => Promise.resolve(processUsage((params as { gc?: boolean } | undefined)?.gc)),
    close: async () => {
      await client.close();
      return processUsage();
    },
  }),
);
