import { describe } from 'vitest';
import { acknowledgementTests } from './bus/acknowledgement.js';
import { connectionTests, provisioningTests } from './bus/connection.js';
import { crashRedeliveryTests } from './bus/crash-redelivery.js';
import { inboxRoutingTests } from './bus/inbox-routing.js';
import { orderingConcurrencyTests } from './bus/ordering-concurrency.js';
import type { BusPlugin } from './bus/plugin.js';
import { publishSubscribeTests } from './bus/publish-subscribe.js';
import { reconnectTests } from './bus/reconnect.js';
import { retentionTests } from './bus/retention.js';
import { setUpBusSuite } from './bus/suite.js';

export type { BusPlugin } from './bus/plugin.js';

/** The bus conformance suite: every plugin must pass it. */
export function describeBusConformance(plugin: BusPlugin): void {
  describe(`bus conformance: ${plugin.name}`, () => {
    const suite = setUpBusSuite(plugin);

    describe('connect, health, close', () => connectionTests(suite));
    describe('topic provisioning', () => provisioningTests(suite));
    describe('publish and subscribe', () => {
      publishSubscribeTests(suite);
      orderingConcurrencyTests(suite);
    });
    describe('acknowledgement and redelivery', () => {
      acknowledgementTests(suite);
      retentionTests(suite);
      crashRedeliveryTests(suite);
    });
    describe('inbox', () => inboxRoutingTests(suite));
    describe.runIf(plugin.throughProxy !== undefined)('reconnect', () => reconnectTests(suite));
  });
}
