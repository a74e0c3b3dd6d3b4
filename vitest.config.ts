import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC instead of esbuild: Nest's DI needs `emitDecoratorMetadata`.
const plugins = [swc.vite({ module: { type: 'es6' } })];
// Tests run against the library's source, not its build; library specs reach the shared test
// support through `@vrpc/test-support` (mirrored by `paths` in tsconfig.json).
const resolve = {
  alias: {
    '@vrpc/nestjs': fileURLToPath(new URL('./libs/vrpc/src/index.ts', import.meta.url)),
    '@vrpc/test-support': fileURLToPath(new URL('./test/support/index.ts', import.meta.url)),
  },
};

const CLUSTER_SPECS = ['test/fault/broker-faults.e2e-spec.ts'];

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
          // Broker faults on a 3-node cluster of its own: runs after the others, alone on the machine.
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
