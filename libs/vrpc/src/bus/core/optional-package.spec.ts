import { describe, expect, it } from 'vitest';
import { loadBusPackage, MissingBusPackageError } from './optional-package.js';

const notFound = (name: string) => Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' });

describe('loadBusPackage', () => {
  it('returns what the import returns', async () => {
    await expect(loadBusPackage('nats', ['@nats-io/jetstream'], () => Promise.resolve({ ok: true }))).resolves.toEqual({ ok: true });
  });

  it('says which packages to install when one is missing', async () => {
    const loading = loadBusPackage('nats', ['@nats-io/transport-node', '@nats-io/jetstream'], () =>
      Promise.reject(notFound('@nats-io/jetstream')),
    );
    await expect(loading).rejects.toBeInstanceOf(MissingBusPackageError);
    await expect(loading).rejects.toThrow('npm install @nats-io/transport-node @nats-io/jetstream');
  });

  it('passes other failures through unchanged', async () => {
    const boom = new Error('syntax error in the package');
    await expect(loadBusPackage('rabbitmq', ['amqplib'], () => Promise.reject(boom))).rejects.toBe(boom);
  });
});
