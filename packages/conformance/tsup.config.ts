import { defineConfig } from 'tsup';

// Built only so that apps outside vitest (the Next.js example's local Pusher/Ably servers) can load the
// peers as plain JavaScript; tests use the sources through the `@switchboard/source` condition.
export default defineConfig({
  entry: ['src/index.ts', 'src/peers/*.ts'],
  format: ['esm'],
  dts: false,
  clean: true,
  target: 'es2022',
  platform: 'node',
  splitting: true,
});
