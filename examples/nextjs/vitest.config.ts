import { defineConfig } from 'vitest/config';

// Real-browser tests: the built app (`next start`) driven by playwright-core in Debian's Chromium.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One app and one browser at a time: the suite starts servers on real ports.
    fileParallelism: false,
  },
});
