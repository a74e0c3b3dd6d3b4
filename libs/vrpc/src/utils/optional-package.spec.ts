import { describe, expect, it } from 'vitest';
import { loadOptionalPackage } from './optional-package.js';
import { MissingPackageError } from '../errors/missing-package.error.js';

const notFound = (name: string) => Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' });

describe('loadOptionalPackage', () => {
  it('returns what the import returns', async () => {
    await expect(loadOptionalPackage('the "nats" bus', ['@nats-io/jetstream'], () => Promise.resolve({ ok: true }))).resolves.toEqual({
      ok: true,
    });
  });

  it('says which packages to install when one is missing', async () => {
    const loading = loadOptionalPackage('the "nats" bus', ['@nats-io/transport-node', '@nats-io/jetstream'], () =>
      Promise.reject(notFound('@nats-io/jetstream')),
    );
    await expect(loading).rejects.toBeInstanceOf(MissingPackageError);
    await expect(loading).rejects.toThrow('npm install @nats-io/transport-node @nats-io/jetstream');
  });

  it('passes other failures through unchanged', async () => {
    const boom = new Error('syntax error in the package');
    await expect(loadOptionalPackage('the "rabbitmq" bus', ['amqplib'], () => Promise.reject(boom))).rejects.toBe(boom);
  });
});
