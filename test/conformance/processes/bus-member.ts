// A consumer-group member in a process of its own, for crash tests: it takes messages and never
// finishes them, until the test kills it.
// Env: VRPC_CONFORMANCE_MEMBER = JSON { options (a bus config for createBus) or module (URL of a module
// whose default export makes the bus), topic, group, concurrency }.
import 'reflect-metadata';
import { createBus, type VrpcBus, type VrpcBusConfig } from '@vrpc/nestjs';

interface MemberConfig {
  options?: VrpcBusConfig;
  module?: string;
  topic: string;
  group: string;
  concurrency: number;
}

const config = JSON.parse(process.env.VRPC_CONFORMANCE_MEMBER ?? '{}') as MemberConfig;
const bus = config.module
  ? ((await import(config.module)) as { default: () => VrpcBus }).default()
  : createBus(config.options);
await bus.connect();
await bus.subscribe({ topics: [config.topic], group: config.group, concurrency: config.concurrency }, (message) => {
  process.stdout.write(`TOOK ${message.value.toString()}\n`);
  return new Promise<void>(() => undefined);
});
process.stdout.write('READY\n');
