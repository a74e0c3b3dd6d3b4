// A consumer-group member in a process of its own, for crash tests. `hold`: it takes messages
// and never finishes them, until the test kills it. `serve`: it serves requests as a vRPC server
// does (the request dispatcher, maxDeliveries, a dead-letter topic), and every request it runs
// takes the process down at once — a poison request.
// Env: VRPC_CONFORMANCE_MEMBER = JSON of `MemberConfig`.
import 'reflect-metadata';
import type { VrpcBus } from '../../../bus/bus.interface.js';
import { createBus } from '../../../bus/create-bus.js';
import { RequestDispatcher } from '../../../serving/request-dispatcher.js';
import type { MemberConfig } from './member-config.interface.js';

const config = JSON.parse(process.env.VRPC_CONFORMANCE_MEMBER ?? '{}') as MemberConfig;
const bus = config.module ? ((await import(config.module)) as { default: () => VrpcBus }).default() : createBus(config.options);
await bus.connect();
const subscription = { topics: [config.topic], group: config.group, concurrency: config.concurrency };
if (config.serve) {
  const dispatcher = new RequestDispatcher({
    bus,
    deadLetterTopic: config.serve.deadLetterTopic,
    maxDeliveries: config.serve.maxDeliveries,
    // SIGKILL once the line is out: no close, no acknowledgement, as in a real crash.
    execute: (envelope) =>
      new Promise(() => process.stdout.write(`TOOK ${envelope.requestId}\n`, () => process.kill(process.pid, 'SIGKILL'))),
  });
  // As a server subscribes.
  await bus.subscribe({ ...subscription, orderByKey: true }, (message) => dispatcher.dispatch(message));
} else {
  await bus.subscribe(subscription, (message) => {
    process.stdout.write(`TOOK ${message.value.toString()}\n`);
    return new Promise<void>(() => undefined);
  });
}
process.stdout.write('READY\n');
