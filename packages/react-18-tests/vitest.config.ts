import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The test files live in ../react; left alone, their imports would resolve React 19 from there.
// Point every React entry (and testing-library, whose CommonJS requires must find React 18 too) at
// this package's own installs.
const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const dir = (pkg: string) => dirname(require.resolve(`${pkg}/package.json`));

export default defineConfig({
  root: resolve(here, '../react'),
  resolve: {
    conditions: ['@switchboard/source'],
    alias: [
      { find: /^react$/, replacement: dir('react') },
      { find: /^react\/(.*)$/, replacement: `${dir('react')}/$1` },
      { find: /^react-dom$/, replacement: dir('react-dom') },
      { find: /^react-dom\/(.*)$/, replacement: `${dir('react-dom')}/$1` },
      { find: /^@testing-library\/react$/, replacement: dir('@testing-library/react') },
    ],
  },
  ssr: { resolve: { conditions: ['@switchboard/source'] } },
  test: {
    name: 'react-18',
    env: { EXPECTED_REACT_MAJOR: '18' },
    include: ['test/**/*.test.{ts,tsx}'],
    environment: 'happy-dom',
    setupFiles: ['./test/setup.ts'],
    testTimeout: 20_000,
  },
});
