import { defineConfig } from 'tsup';

export default defineConfig({
  // `.`: the client transport (browser-safe). `./server`: the helper for a socket.io Server (Node).
  entry: { index: 'src/index.ts', server: 'src/server.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  // Shared chunks (the wire event names and payload checks) are one module across both entries.
  splitting: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  target: 'es2022',
  external: ['@switchboard/core', 'socket.io', 'socket.io-client'],
});
