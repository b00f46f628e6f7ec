import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  external: ['react', '@switchboard/core'],
  // esbuild keeps the 'use client' directive of src/index.ts at the top of the ESM output; the CJS
  // output starts with "use strict", so it gets the directive as a banner in front of that.
  // scripts/check-use-client.mjs fails the package checks if any output does not start with it.
  banner: ({ format }) => (format === 'cjs' ? { js: "'use client';" } : {}),
});
