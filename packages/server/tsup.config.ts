import { defineConfig } from 'tsup';

export default defineConfig({
  // `bin` is the CLI (`switchboard serve`); its shebang is kept from src/bin.ts.
  entry: { index: 'src/index.ts', bin: 'src/bin.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  target: 'node20',
  platform: 'node',
});
