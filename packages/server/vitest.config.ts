import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@switchboard/source'] },
  ssr: { resolve: { conditions: ['@switchboard/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    // Installs redis-server when missing and bundles the CLI for the multi-process tests.
    globalSetup: ['test/support/global-setup.ts'],
  },
});
