import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing/index.ts',
    indexeddb: 'src/storage/indexeddb.ts',
    env: 'src/env.ts',
    protocol: 'src/protocol/index.ts',
    websocket: 'src/transports/websocket.ts',
    sse: 'src/transports/sse.ts',
    polling: 'src/transports/polling.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  // Shared chunks in both formats, so `RealtimeError` is one class across subpaths.
  splitting: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  target: 'es2022',
});
