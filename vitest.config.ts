import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC instead of esbuild: Nest's DI needs `emitDecoratorMetadata`.
const plugins = [swc.vite({ module: { type: 'es6' } })];
// Tests run against the library's source, not its build: every entry of its package.json
// `exports` (`@vrpc/nestjs`, `@vrpc/nestjs/nats`…) resolves to its `vrpc-source` file.
const library = new URL('./libs/vrpc/', import.meta.url);
const { exports: entries } = JSON.parse(readFileSync(new URL('package.json', library), 'utf8')) as {
  exports: Record<string, string | { 'vrpc-source'?: string }>;
};
const alias = Object.entries(entries).flatMap(([subpath, target]) =>
  typeof target === 'object' && target['vrpc-source']
    ? [
        {
          find: new RegExp(`^@vrpc/nestjs${subpath.slice(1).replaceAll('.', '\\.')}$`),
          replacement: fileURLToPath(new URL(target['vrpc-source'], library)),
        },
      ]
    : [],
);
// Library specs reach the shared test support through `@vrpc/test-support` (mirrored by `paths`
// in tsconfig.json).
alias.push({ find: /^@vrpc\/test-support$/, replacement: fileURLToPath(new URL('./test/support/index.ts', import.meta.url)) });
const resolve = { alias };

const CLUSTER_SPECS = ['test/fault/broker-faults.e2e-spec.ts', 'test/health/broker-outage.e2e-spec.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        plugins,
        resolve,
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['libs/**/src/**/*.spec.ts', 'apps/**/src/**/*.spec.ts'],
          setupFiles: ['./vitest.setup.ts'],
          testTimeout: 10_000,
        },
      },
      {
        plugins,
        resolve,
        test: {
          name: 'e2e',
          // One file at a time, after the unit tests (they share one broker and two cores).
          sequence: { groupOrder: 1 },
          include: ['test/**/*.e2e-spec.ts'],
          exclude: [...CLUSTER_SPECS, '**/node_modules/**'],
          setupFiles: ['./vitest.setup.ts'],
          globalSetup: ['./test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        plugins,
        resolve,
        test: {
          // Broker faults (and health through an outage) on a 3-node cluster of its own: runs after the others, alone on the machine.
          name: 'cluster',
          sequence: { groupOrder: 2 },
          include: CLUSTER_SPECS,
          setupFiles: ['./vitest.setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
