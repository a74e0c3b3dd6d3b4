import type * as NatsJetStream from '@nats-io/jetstream';
import type * as NatsCore from '@nats-io/transport-node';
import { loadOptionalPackage } from '../../utils/optional-package.js';

/** The NATS client packages, loaded on first use. */
export interface NatsModules {
  core: typeof NatsCore;
  jetstream: typeof NatsJetStream;
}

/** Loads `@nats-io/transport-node` and `@nats-io/jetstream`, or says which to install. */
export async function loadNatsModules(): Promise<NatsModules> {
  return loadOptionalPackage('the "nats" bus', ['@nats-io/transport-node', '@nats-io/jetstream'], async () => {
    const [core, jetstream] = await Promise.all([import('@nats-io/transport-node'), import('@nats-io/jetstream')]);
    return { core, jetstream };
  });
}
