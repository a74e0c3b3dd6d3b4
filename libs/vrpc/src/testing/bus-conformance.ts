import { describe } from 'vitest';
import { acknowledgementTests } from './bus-conformance/acknowledgement.js';
import { boundedOutputTests } from './bus-conformance/bounded-output.js';
import { connectionTests, provisioningTests } from './bus-conformance/connection.js';
import { crashRedeliveryTests } from './bus-conformance/crash-redelivery.js';
import { inboxRoutingTests } from './bus-conformance/inbox-routing.js';
import { orderingConcurrencyTests } from './bus-conformance/ordering-concurrency.js';
import { poisonRequestTests } from './bus-conformance/poison-request.js';
import type { BusPlugin } from './bus-conformance/plugin.js';
import { publishSubscribeTests } from './bus-conformance/publish-subscribe.js';
import { reconnectTests } from './bus-conformance/reconnect.js';
import { retentionTests } from './bus-conformance/retention.js';
import { setUpBusSuite } from './bus-conformance/suite.js';

export type { BusPlugin } from './bus-conformance/plugin.js';
export type { CreatedNames } from './bus-conformance/conformance-support.js';

/** The bus conformance suite, for vitest: every bus plugin must pass it (what it declares decides which tests run). */
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
      poisonRequestTests(suite);
    });
    describe('inbox', () => inboxRoutingTests(suite));
    describe('bounded output', () => boundedOutputTests(suite));
    describe.runIf(plugin.throughProxy !== undefined)('reconnect', () => reconnectTests(suite));
  });
}
